#!/usr/bin/env bash
# bench.sh — `make bench`: load (a) the fake provider directly, (b) bare Caddy
# reverse_proxy to it, (c) the aigw chain (shipped Caddyfile) in front of it and
# (d) the router alone behind authentication (bench/route-only.Caddyfile),
# non-streaming and streaming (20 SSE chunks), interleaved over ROUNDS rounds;
# print median req/s (2xx only), p50, p99, the ratio to (b) and each server's
# CPU time per request. Servers share CPU 0, wrk runs on CPU 1 (see
# shared/BENCHMARKS.md). Then run the Go benchmarks of the hot path.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"

DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-32}
UP_PORT=19090 BARE_PORT=19081 CHAIN_PORT=19080 ROUTE_PORT=19082

command -v wrk >/dev/null || apt_install wrk >/dev/null
command -v taskset >/dev/null || apt_install util-linux >/dev/null
make --no-print-directory build >/dev/null

pg_url=$(scripts/postgres.sh start | tail -n 1)
bench_db=${pg_url/\/aigw?/\/aigw_bench?}
admin_db=${pg_url/\/aigw?/\/postgres?}
psql -q "$admin_db" -c "DROP DATABASE IF EXISTS aigw_bench WITH (FORCE)" -c "CREATE DATABASE aigw_bench" >/dev/null
DATABASE_URL=$bench_db bin/aigw-admin migrate >/dev/null
key=$(DATABASE_URL=$bench_db bin/aigw-admin seed | grep '^sk-aigw-')

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; die "nothing listens on $1"; }

taskset -c 0 bin/aigw-fake-provider -addr 127.0.0.1:$UP_PORT -key bench-upstream-key &
up_pid=$!; pids+=($up_pid)
BENCH_BARE_PORT=$BARE_PORT BENCH_UPSTREAM_PORT=$UP_PORT taskset -c 0 bin/aigw run --config bench/bare.Caddyfile >/dev/null 2>&1 &
bare_pid=$!; pids+=($bare_pid)
# The shipped per-key safety net (100,000 requests a minute) would refuse most
# of a 10 s run at these rates: 429s are not counted, and the run would
# measure refusals. A limit far above the load keeps the limiter's work (every
# scope still counted) without refusing.
AIGW_KEY_RPM=1000000000 AIGW_PORT=$CHAIN_PORT AIGW_CADDY_ADMIN=off DATABASE_URL=$bench_db \
	OPENAI_BASE_URL=http://127.0.0.1:$UP_PORT/v1 OPENAI_API_KEY=bench-upstream-key \
	taskset -c 0 bin/aigw run --config Caddyfile >"$AIGW_DATA/bench-aigw.log" 2>&1 &
chain_pid=$!; pids+=($chain_pid)
BENCH_ROUTE_PORT=$ROUTE_PORT DATABASE_URL=$bench_db \
	OPENAI_BASE_URL=http://127.0.0.1:$UP_PORT/v1 OPENAI_API_KEY=bench-upstream-key \
	taskset -c 0 bin/aigw run --config bench/route-only.Caddyfile >"$AIGW_DATA/bench-aigw-route.log" 2>&1 &
route_pid=$!; pids+=($route_pid)
wait_port $UP_PORT; wait_port $BARE_PORT; wait_port $CHAIN_PORT; wait_port $ROUTE_PORT

# A ~400-byte chat body; max_tokens 18 makes a stream of 20 chunks.
prompt="Summarise the attached quarterly statement for a retail banking customer in three sentences, listing total deposits, withdrawals, the closing balance and any fees charged. Keep the tone neutral and do not give investment advice. Mention whether the account fell below its minimum balance."
body() { printf '{"model":"gpt-4o","max_tokens":18,"stream":%s,"messages":[{"role":"system","content":"You are a helpful banking assistant."},{"role":"user","content":"%s"}]}' "$1" "$prompt"; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))
results=$AIGW_DATA/bench-results.txt
: >"$results"

# run_one NAME MODE URL PID KEY: one wrk run; appends "name mode rps p50 p99 cpu_us".
run_one() {
	local name=$1 mode=$2 url=$3 pid=$4 k=$5 stream=false out before after reqs non2xx ok rps
	[ "$mode" = stream ] && stream=true
	before=$(cpu_ticks "$pid")
	out=$(BENCH_KEY=$k BENCH_BODY=$(body $stream) taskset -c 1 wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s bench/post.lua "$url")
	after=$(cpu_ticks "$pid")
	reqs=$(awk '/requests in/ {print $1}' <<<"$out")
	non2xx=$(awk '/Non-2xx or 3xx responses/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
	ok=$((reqs - non2xx))
	secs=$(awk '/requests in/ {sub(/s,/, "", $4); print $4}' <<<"$out")
	rps=$(awk -v ok=$ok -v s=$secs 'BEGIN {printf "%.0f", ok / s}')
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out"); p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	cpu=$(awk -v t=$((after - before)) -v us=$tick_us -v n=$ok 'BEGIN {if (n > 0) printf "%.0f", t * us / n; else print "n/a"}')
	[ "$non2xx" -gt 0 ] && log "$name $mode: $non2xx non-2xx answers not counted"
	echo "$name $mode $rps $p50 $p99 $cpu" >>"$results"
}

log "loading: $ROUNDS rounds x 4 systems x 2 modes, $DURATION each, $CONNS connections"
for round in $(seq "$ROUNDS"); do
	for mode in plain stream; do
		run_one direct "$mode" "http://127.0.0.1:$UP_PORT/v1/chat/completions" $up_pid bench-upstream-key
		run_one bare-caddy "$mode" "http://127.0.0.1:$BARE_PORT/v1/chat/completions" $bare_pid bench-upstream-key
		run_one aigw-chain "$mode" "http://127.0.0.1:$CHAIN_PORT/v1/chat/completions" $chain_pid "$key"
		run_one aigw-route "$mode" "http://127.0.0.1:$ROUTE_PORT/v1/chat/completions" $route_pid "$key"
	done
	log "round $round done"
done

# Medians per system and mode, and the ratio of req/s to bare Caddy's.
echo
printf '%-11s %-7s %10s %10s %10s %9s %14s\n' system mode "req/s" p50 p99 "x bare" "CPU us/req"
for mode in plain stream; do
	base=$(awk -v m=$mode '$1 == "bare-caddy" && $2 == m {print $3}' "$results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	for name in direct bare-caddy aigw-chain aigw-route; do
		awk -v n=$name -v m=$mode '$1 == n && $2 == m' "$results" | sort -k3,3n | awk -v base="$base" '
			{ rps[NR]=$3; p50[NR]=$4; p99[NR]=$5; cpu[NR]=$6; name=$1; mode=$2 }
			END { i = int((NR+1)/2); printf "%-11s %-7s %10d %10s %10s %9.2f %14s\n", name, mode, rps[i], p50[i], p99[i], rps[i]/base, cpu[i] }'
	done
done
echo "(medians of $ROUNDS runs; p50/p99 and CPU from the median run; CPU is the measured server's: the fake provider for 'direct')"

echo
[ "${BENCH_GO:-1}" = 0 ] && exit 0 # BENCH_GO=0: the load runs only
log "Go benchmarks of the hot path"
redis_url=$(scripts/redis.sh start | tail -n 1)
(cd caddyplugins && AIGW_TEST_DATABASE_URL=$admin_db AIGW_TEST_REDIS_URL=$redis_url go test -run '^$' -bench . -benchmem -benchtime 2s ./auth/ ./state/ ./route/ ./e2e/)
go test -run '^$' -bench . -benchmem -benchtime 1s ./internal/apikey/ ./internal/money/
