#!/usr/bin/env bash
# dashboard-e2e.sh — the dashboard's tests: Vitest (components), then a real
# browser (Debian's chromium, driven by playwright-core) against the real aigw
# and aigw-admin binaries, a fresh PostgreSQL database and the fake provider.
# Screenshots of every page at 390x844 and 1440x900 land in
# .data/dashboard-artifacts/. Ports: DASH_E2E_PORT_BASE (default 58280) for
# the gateway, +1 the admin API, +2 the fake provider.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"

command -v node >/dev/null || die "Node.js 20.19+ is required for the dashboard's tests"
command -v chromium >/dev/null || apt_install chromium
command -v psql >/dev/null || apt_install postgresql-client
make --no-print-directory build >/dev/null

log "dashboard: vitest"
(cd dashboard && nice npx vitest run --reporter=dot)

base=${DASH_E2E_PORT_BASE:-58280}
gw_port=$base admin_port=$((base + 1)) up_port=$((base + 2))
pg_url=${AIGW_TEST_DATABASE_URL:-$(scripts/postgres.sh start | tail -n 1)}
name=aigw_dash_e2e_$(printf '%s' "$AIGW_ROOT" | sha256sum | cut -c1-8)
admin_db=${pg_url/\/aigw?/\/postgres?}
db=$(printf '%s' "$admin_db" | sed -E "s#/[^/?]+(\?|$)#/$name\1#")
psql -q "$admin_db" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
export DATABASE_URL=$db
bin/aigw-admin migrate >/dev/null
seeded=$(bin/aigw-admin seed --gateway-url "http://127.0.0.1:$gw_port")
E2E_EMAIL=$(awk '/e-mail:/ {print $2; exit}' <<<"$seeded")
E2E_PASSWORD=$(awk '/password:/ {print $2; exit}' <<<"$seeded")
export E2E_EMAIL E2E_PASSWORD

pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	psql -q "$admin_db" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; die "nothing listens on $1"; }

logs=$AIGW_DATA/dashboard-e2e
mkdir -p "$logs"
bin/aigw-fake-provider -addr 127.0.0.1:$up_port -key e2e-upstream-key >"$logs/fake-provider.log" 2>&1 &
pids+=($!)
export AIGW_ENV=development SESSION_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
export AIGW_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '\n') AIGW_PUBLIC_URL=http://127.0.0.1:$gw_port
bin/aigw-admin serve --addr 127.0.0.1:$admin_port >"$logs/admin.log" 2>&1 &
pids+=($!)
AIGW_PORT=$gw_port AIGW_ADMIN_API=127.0.0.1:$admin_port AIGW_CADDY_ADMIN=off \
	OPENAI_BASE_URL=http://127.0.0.1:$up_port/v1 OPENAI_API_KEY=e2e-upstream-key \
	bin/aigw run --config Caddyfile --adapter caddyfile >"$logs/aigw.log" 2>&1 &
pids+=($!)
wait_port "$up_port"
wait_port "$admin_port"
wait_port "$gw_port"

log "dashboard: browser tests (chromium) against http://127.0.0.1:$gw_port"
E2E_URL=http://127.0.0.1:$gw_port E2E_ARTIFACTS=$AIGW_DATA/dashboard-artifacts CHROMIUM=$(command -v chromium) \
	node --test --test-concurrency=1 dashboard/e2e/dashboard.test.mjs
