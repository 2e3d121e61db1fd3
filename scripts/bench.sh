#!/usr/bin/env bash
# bench.sh — `make bench`: load (a) the fake provider directly, (b) bare Caddy
# reverse_proxy to it, (c) the aigw chain (shipped Caddyfile) in front of it and
# (d) the router alone behind authentication (bench/route-only.Caddyfile),
# non-streaming and streaming (20 SSE chunks), interleaved over ROUNDS rounds;
# print median req/s (2xx only), p50, p99, the ratio to (b) and each server's
# CPU time per request. Servers share CPU 0, wrk runs on CPU 1, so that the
# load generator does not take the servers' CPU; only 2xx answers count.
# Then run the Go benchmarks of the hot path.
#
# BENCH_BASELINE=<dir>: also load (e) the chain of another checkout, built
# there (make build), with its own Caddyfile and configs, interleaved with the
# rest: a before/after comparison measured in the same run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"

DURATION=${BENCH_DURATION:-10s}
ROUNDS=${BENCH_ROUNDS:-3}
CONNS=${BENCH_CONNECTIONS:-32}
source "$AIGW_ROOT/scripts/benchlib.sh"

bench_database
start_upstream
BENCH_BARE_PORT=$BARE_PORT BENCH_UPSTREAM_PORT=$UP_PORT taskset -c 0 bin/aigw run --config bench/bare.Caddyfile >/dev/null 2>&1 &
bare_pid=$!; pids+=($bare_pid)
start_chain off
AIGW_PORT=$ROUTE_PORT DATABASE_URL=$bench_db \
	OPENAI_BASE_URL=http://127.0.0.1:$UP_PORT/v1 OPENAI_API_KEY=bench-upstream-key \
	taskset -c 0 bin/aigw run --config bench/route-only.Caddyfile >"$AIGW_DATA/bench-aigw-route.log" 2>&1 &
route_pid=$!; pids+=($route_pid)
wait_port $UP_PORT; wait_port $BARE_PORT; wait_port $CHAIN_PORT; wait_port $ROUTE_PORT
systems="direct bare-caddy aigw-chain aigw-route"
if [ -n "${BENCH_BASELINE:-}" ]; then
	[ -x "$BENCH_BASELINE/bin/aigw" ] || die "BENCH_BASELINE=$BENCH_BASELINE has no bin/aigw: run make build there"
	(cd "$BENCH_BASELINE" && AIGW_KEY_RPM=1000000000 AIGW_PORT=$BASE_PORT AIGW_CADDY_ADMIN=off DATABASE_URL=$bench_db \
		OPENAI_BASE_URL=http://127.0.0.1:$UP_PORT/v1 OPENAI_API_KEY=bench-upstream-key \
		exec taskset -c 0 bin/aigw run --config Caddyfile >"$AIGW_DATA/bench-aigw-baseline.log" 2>&1) &
	base_pid=$!; pids+=($base_pid)
	wait_port $BASE_PORT
	systems="$systems baseline"
fi
sleep 2 # let start-up work (tokenizer tables, pools) settle before idle memory is read
declare -A idle_rss
procs="bare-caddy:$bare_pid aigw-chain:$chain_pid aigw-route:$route_pid${base_pid:+ baseline:$base_pid}"
for s in $procs; do idle_rss[${s%%:*}]=$(rss_mib "${s#*:}" VmRSS); done

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
tick_us=$((1000000 / $(getconf CLK_TCK)))
results=$AIGW_DATA/bench-results.txt
: >"$results"

# run_one NAME MODE URL PID KEY: one wrk run; appends "name mode rps p50 p99 cpu_us round".
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
	echo "$name $mode $rps $p50 $p99 $cpu $round" >>"$results"
}

log "loading: $ROUNDS rounds x 4 systems x 2 modes, $DURATION each, $CONNS connections"
for round in $(seq "$ROUNDS"); do
	for mode in plain stream; do
		run_one direct "$mode" "http://127.0.0.1:$UP_PORT/v1/chat/completions" $up_pid bench-upstream-key
		run_one bare-caddy "$mode" "http://127.0.0.1:$BARE_PORT/v1/chat/completions" $bare_pid bench-upstream-key
		run_one aigw-chain "$mode" "http://127.0.0.1:$CHAIN_PORT/v1/chat/completions" $chain_pid "$key"
		run_one aigw-route "$mode" "http://127.0.0.1:$ROUTE_PORT/v1/chat/completions" $route_pid "$key"
		if [ -n "${base_pid:-}" ]; then run_one baseline "$mode" "http://127.0.0.1:$BASE_PORT/v1/chat/completions" $base_pid "$key"; fi
	done
	log "round $round done"
done

# Medians per system and mode, the ratio of req/s to bare Caddy's, and the
# spread of that ratio over the rounds (each round's run against the same
# round's bare Caddy).
echo
printf '%-11s %-7s %10s %10s %10s %9s %13s %14s\n' system mode "req/s" p50 p99 "x bare" "spread" "CPU us/req"
for mode in plain stream; do
	base=$(awk -v m=$mode '$1 == "bare-caddy" && $2 == m {print $3}' "$results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	for name in $systems; do
		spread=$(awk -v n=$name -v m=$mode '$2 == m && $1 == "bare-caddy" {b[$7]=$3} $2 == m && $1 == n {r[$7]=$3}
			END { lo=1e9; hi=0; for (k in r) if (b[k] > 0) { x=r[k]/b[k]; if (x<lo) lo=x; if (x>hi) hi=x }; printf "%.2f-%.2f", lo, hi }' "$results")
		awk -v n=$name -v m=$mode '$1 == n && $2 == m' "$results" | sort -k3,3n | awk -v base="$base" -v spread="$spread" '
			{ rps[NR]=$3; p50[NR]=$4; p99[NR]=$5; cpu[NR]=$6; name=$1; mode=$2 }
			END { i = int((NR+1)/2); printf "%-11s %-7s %10d %10s %10s %9.2f %13s %14s\n", name, mode, rps[i], p50[i], p99[i], rps[i]/base, spread, cpu[i] }'
	done
done
echo "(medians of $ROUNDS runs; spread: lowest and highest round's ratio; p50/p99 and CPU from the median run; CPU is the measured server's: the fake provider for 'direct')"
echo
printf '%-11s %16s %16s\n' system "idle RSS MiB" "peak RSS MiB"
for s in $procs; do
	printf '%-11s %16s %16s\n' "${s%%:*}" "${idle_rss[${s%%:*}]}" "$(rss_mib "${s#*:}" VmHWM)"
done
echo "(idle: 2 s after start, before any load; peak: the most resident at once over the whole run, c$CONNS)"
load=$(cut -d' ' -f1-3 /proc/loadavg)
echo "(load average at the end: $load on $(nproc) cores)"

echo
[ "${BENCH_GO:-1}" = 0 ] && exit 0 # BENCH_GO=0: the load runs only
log "Go benchmarks of the hot path"
redis_url=$(scripts/redis.sh start | tail -n 1)
(cd caddyplugins && AIGW_TEST_DATABASE_URL=$admin_db AIGW_TEST_REDIS_URL=$redis_url go test -run '^$' -bench . -benchmem -benchtime 2s ./auth/ ./state/ ./route/ ./e2e/)
go test -run '^$' -bench . -benchmem -benchtime 1s ./internal/apikey/ ./internal/money/
