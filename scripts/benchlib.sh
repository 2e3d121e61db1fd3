# Shared by bench.sh and profile.sh: the bench database, the fake provider and
# the gateway systems they load, and the request body. Source it after lib.sh.
#
# Ports: BENCH_PORT_BASE (default 19080) for the chain, +1 bare Caddy, +2 the
# router alone, +3 the fake provider, +4 the chain's Caddy admin endpoint
# (pprof; profile.sh only), +5 a baseline checkout's chain (BENCH_BASELINE),
# so that two checkouts can bench at once.
base=${BENCH_PORT_BASE:-19080}
CHAIN_PORT=$base BARE_PORT=$((base + 1)) ROUTE_PORT=$((base + 2)) UP_PORT=$((base + 3)) PPROF_PORT=$((base + 4))
BASE_PORT=$((base + 5))

command -v wrk >/dev/null || apt_install wrk >/dev/null
command -v taskset >/dev/null || apt_install util-linux >/dev/null
make --no-print-directory build >/dev/null

# bench_database creates (anew) this checkout's bench database, migrated and
# seeded, and sets bench_db, admin_db and key (the seeded API key). One bench
# database per checkout: two checkouts sharing a PostgreSQL do not drop each
# other's.
bench_database() {
	local pg_url name
	pg_url=$(scripts/postgres.sh start | tail -n 1)
	name=aigw_bench_$(printf '%s' "$AIGW_ROOT" | sha256sum | cut -c1-8)
	bench_db=${pg_url/\/aigw?/\/$name?}
	admin_db=${pg_url/\/aigw?/\/postgres?}
	psql -q "$admin_db" -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
	DATABASE_URL=$bench_db bin/aigw-admin migrate >/dev/null
	key=$(DATABASE_URL=$bench_db bin/aigw-admin seed | grep '^sk-aigw-')
}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; die "nothing listens on $1"; }

# start_upstream starts the fake provider on CPU 0; sets up_pid.
start_upstream() {
	taskset -c 0 bin/aigw-fake-provider -addr 127.0.0.1:$UP_PORT -key bench-upstream-key &
	up_pid=$!
	pids+=($up_pid)
}

# start_chain starts the shipped Caddyfile on CPU 0 with Caddy's admin
# endpoint at $1 ("off" for none); sets chain_pid. The shipped per-key safety
# net (100,000 requests a minute) would refuse most of a 10 s run at these
# rates: 429s are not counted, and the run would measure refusals. A limit far
# above the load keeps the limiter's work (every scope still counted) without
# refusing.
start_chain() {
	AIGW_KEY_RPM=1000000000 AIGW_PORT=$CHAIN_PORT AIGW_CADDY_ADMIN=$1 DATABASE_URL=$bench_db \
		OPENAI_BASE_URL=http://127.0.0.1:$UP_PORT/v1 OPENAI_API_KEY=bench-upstream-key \
		taskset -c 0 bin/aigw run --config Caddyfile >"$AIGW_DATA/bench-aigw.log" 2>&1 &
	chain_pid=$!
	pids+=($chain_pid)
}

# A ~400-byte chat body; max_tokens 18 makes a stream of 20 chunks.
prompt="Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged. Keep the tone neutral and do not give investment advice. Mention whether the account fell below its minimum balance."
body() { printf '{"model":"gpt-4o","max_tokens":18,"stream":%s,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"%s"}]}' "$1" "$prompt"; }

# rss_mib PID FIELD prints a /proc/PID/status memory field (VmRSS, VmHWM) in MiB.
rss_mib() { awk -v f="$2:" '$1 == f {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
