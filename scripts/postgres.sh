#!/usr/bin/env bash
# postgres.sh start|stop|running|url|dir — a project-local PostgreSQL on
# 127.0.0.1. `start` is idempotent and prints nothing but the DATABASE_URL of
# the `aigw` database on its last line; `dir` prints where its data lives.
#
# The data folder is AIGW_PGDATA when set, else the checkout's git-ignored
# .data/postgres — unless the server, which runs as the postgres user when we
# are root, cannot reach it there (a checkout in root's home, mode 700): then
# /var/lib/aigw/<checkout hash>/postgres, one folder per checkout.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PGPORT=${AIGW_PGPORT:-54329}

# ensure_pg_user creates the postgres system user, as root, when missing.
ensure_pg_user() {
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
	fi
}

default_pgdata() {
	local local_dir=$AIGW_DATA/postgres
	if [ "$(id -u)" -ne 0 ]; then
		echo "$local_dir"
		return
	fi
	ensure_pg_user
	if runuser -u postgres -- test -x "$AIGW_DATA" 2>/dev/null; then
		echo "$local_dir"
		return
	fi
	echo "/var/lib/aigw/$(printf '%s' "$AIGW_ROOT" | sha256sum | cut -c1-12)/postgres"
}
PGDATA_DIR=${AIGW_PGDATA:-$(default_pgdata)}

pgbin() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
	if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
		apt_install postgresql >/dev/null
		d=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	fi
	echo "$d"
}

# as_pg runs a command as the owner of the data folder: PostgreSQL refuses root.
# It runs from / : the checkout may be a folder the postgres user cannot enter.
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

url() { echo "postgres://postgres@127.0.0.1:$PGPORT/${1:-aigw}?sslmode=disable"; }

start() {
	local bin
	bin=$(pgbin)
	ensure_pg_user
	mkdir -p "$PGDATA_DIR"
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PGDATA_DIR" && chmod 700 "$PGDATA_DIR"
	if ! as_pg test -w "$PGDATA_DIR"; then
		die "the postgres user cannot write $PGDATA_DIR (a parent folder is not searchable); set AIGW_PGDATA"
	fi
	if [ ! -f "$PGDATA_DIR/PG_VERSION" ]; then
		log "initialising PostgreSQL in $PGDATA_DIR"
		as_pg "$bin/initdb" -D "$PGDATA_DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
	fi
	if ! as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
		log "starting PostgreSQL on 127.0.0.1:$PGPORT"
		as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w -t 60 \
			-o "-p $PGPORT -k $PGDATA_DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null \
			|| { tail -n 20 "$PGDATA_DIR/server.log" >&2; die "PostgreSQL did not start"; }
	fi
	if ! as_pg "$bin/psql" -h 127.0.0.1 -p "$PGPORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='aigw'" postgres | grep -q 1; then
		as_pg "$bin/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres aigw
	fi
	url aigw
}

# running exits 0 when the project's PostgreSQL is up.
running() {
	local bin
	bin=$(pgbin)
	[ -f "$PGDATA_DIR/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1
}

stop() {
	local bin
	bin=$(pgbin)
	[ -f "$PGDATA_DIR/PG_VERSION" ] || return 0
	as_pg "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast -w stop >/dev/null 2>&1 || true
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
running) running ;;
url) url "${2:-aigw}" ;;
dir) echo "$PGDATA_DIR" ;;
*) die "usage: $0 start|stop|running|url [db]|dir" ;;
esac
