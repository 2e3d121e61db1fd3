#!/usr/bin/env bash
# redis.sh start|stop|url — a project-local Redis on 127.0.0.1 for tests and
# multi-node runs (a single node needs none). `start` is idempotent and prints
# the REDIS_URL on its last line.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_PORT=${AIGW_REDIS_PORT:-63790}
REDIS_DIR=$AIGW_DATA/redis

url() { echo "redis://127.0.0.1:$REDIS_PORT/0"; }

start() {
	command -v redis-server >/dev/null || apt_install redis-server >/dev/null
	mkdir -p "$REDIS_DIR"
	if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; then
		log "starting Redis on 127.0.0.1:$REDIS_PORT"
		redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
			--dir "$REDIS_DIR" --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
			--save "" --appendonly no >/dev/null
		for _ in $(seq 50); do
			redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break
			sleep 0.1
		done
		redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG || die "Redis did not start"
	fi
	url
}

stop() {
	if [ -f "$REDIS_DIR/redis.pid" ]; then
		kill "$(cat "$REDIS_DIR/redis.pid")" 2>/dev/null || true
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
url) url ;;
*) die "usage: $0 start|stop|url" ;;
esac
