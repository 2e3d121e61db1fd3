#!/usr/bin/env bash
# run.sh — `make run`: build, start a local PostgreSQL unless DATABASE_URL is
# set, migrate, seed a demo tenant on an empty database, then run the admin API
# and the gateway until Ctrl-C, which stops everything this script started.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"

command -v go >/dev/null || die "Go is required (https://go.dev/doc/install)"
log "building bin/aigw and bin/aigw-admin"
make --no-print-directory build >/dev/null

started_pg=""
if [ -z "${DATABASE_URL:-}" ]; then
	# Stop it on exit only if this run started it (make test may share it).
	scripts/postgres.sh running || started_pg=1
	DATABASE_URL=$(scripts/postgres.sh start | tail -n 1)
	log "using the local PostgreSQL on 127.0.0.1:${AIGW_PGPORT:-54329}, data in $(scripts/postgres.sh dir)"
fi
export DATABASE_URL

pids=()
cleanup() {
	trap - INT TERM EXIT
	log "stopping"
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
	[ -n "$started_pg" ] && scripts/postgres.sh stop
	exit 0
}
trap cleanup INT TERM EXIT

# The admin API runs in development mode under make run (registration open,
# cookies without Secure over plain HTTP). Its session secret is generated
# once and kept in .data/, so sessions survive a restart.
export AIGW_ENV=${AIGW_ENV:-development}
if [ -z "${SESSION_SECRET:-}" ]; then
	secret_file="$AIGW_DATA/session_secret"
	if [ ! -s "$secret_file" ]; then
		(umask 077 && head -c 48 /dev/urandom | base64 | tr -d '\n' >"$secret_file")
		log "generated the admin API's session secret in $secret_file"
	fi
	SESSION_SECRET=$(cat "$secret_file")
	export SESSION_SECRET
fi

# SSO client secrets (and, later, provider credentials) are sealed with
# AES-256-GCM under AIGW_ENCRYPTION_KEY; make run keeps one in .data/ as it
# does the session secret. Losing it makes stored secrets unreadable.
if [ -z "${AIGW_ENCRYPTION_KEY:-}" ]; then
	key_file="$AIGW_DATA/encryption_key"
	if [ ! -s "$key_file" ]; then
		(umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n' >"$key_file")
		log "generated the encryption key for stored secrets in $key_file"
	fi
	AIGW_ENCRYPTION_KEY=$(cat "$key_file")
	export AIGW_ENCRYPTION_KEY
fi

bin/aigw-admin migrate
port=${AIGW_PORT:-8080}
# Identity providers send browsers back to the gateway's public URL.
export AIGW_PUBLIC_URL=${AIGW_PUBLIC_URL:-http://127.0.0.1:$port}
# The demo key and sign-in are printed once the gateway is ready to take them.
seeded=$(bin/aigw-admin seed --gateway-url "http://127.0.0.1:$port")

admin_addr=${AIGW_ADMIN_API:-127.0.0.1:8081}
bin/aigw-admin serve --addr "$admin_addr" &
pids+=($!)
AIGW_ADMIN_API=$admin_addr bin/aigw run --config Caddyfile --adapter caddyfile &
pids+=($!)
# ready prints the gateway's /readyz status line (bash's /dev/tcp: no curl needed).
ready() {
	exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
	printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	head -n 1 <&3
	exec 3<&-
}
for _ in $(seq 120); do
	if ready 2>/dev/null | grep -q ' 200 '; then break; fi
	sleep 0.5
done
if ready 2>/dev/null | grep -q ' 200 '; then
	log "gateway ready: /readyz answers 200"
else
	log "warning: the gateway's /readyz does not answer 200 yet; see the log above"
fi
[ -n "$seeded" ] && printf '%s\n' "$seeded"
if [ -f caddyplugins/dashboard/dist/index.html ]; then
	log "dashboard: http://127.0.0.1:$port/ — sign in as admin@demo.local with the password printed when the demo tenant was seeded (shown once; on later runs, use the one you stored)"
else
	log "dashboard: not built (Node.js 20.19+ missing?); http://127.0.0.1:$port/ answers 503 until make build builds it"
fi
log "gateway on http://127.0.0.1:$port (OpenAI-compatible: /v1/chat/completions, /v1/embeddings, /v1/models); Ctrl-C stops everything"
# Wait until either process exits; then stop the other.
wait -n "${pids[@]}" || true
