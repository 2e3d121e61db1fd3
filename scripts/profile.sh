#!/usr/bin/env bash
# profile.sh — `make profile`: run the shipped chain (Caddyfile) in front of the
# fake provider, load it with wrk for PROFILE_DURATION (default 20s) in each
# mode (plain, then stream: 20 SSE chunks), and take pprof profiles of the
# running binary from Caddy's admin endpoint: CPU over the load, and the heap
# allocations the load made (the difference of two allocation profiles).
# Profiles land in .data/profile/{cpu,allocs}-{plain,stream}.pb.gz with the
# binary; the top items are printed. Read more with e.g.
#   go tool pprof -top -cum bin/aigw .data/profile/cpu-stream.pb.gz
#   go tool pprof -sample_index=alloc_objects -top bin/aigw .data/profile/allocs-plain.pb.gz
# Same placement as make bench: servers on CPU 0, wrk on CPU 1.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"

DURATION=${PROFILE_DURATION:-20}
CONNS=${BENCH_CONNECTIONS:-32}
TOP=${PROFILE_TOP:-25}
source "$AIGW_ROOT/scripts/benchlib.sh"

out=$AIGW_DATA/profile
mkdir -p "$out"
bench_database
start_upstream
start_chain "127.0.0.1:$PPROF_PORT"
wait_port $UP_PORT; wait_port $CHAIN_PORT; wait_port $PPROF_PORT
pprof_url=http://127.0.0.1:$PPROF_PORT/debug/pprof
# Caddy's admin endpoint checks the Host header against its listen address.
fetch() { curl -sf -H "Host: 127.0.0.1:$PPROF_PORT" -o "$2" "$pprof_url/$1" || die "fetching $1 from the admin endpoint"; }

for mode in plain stream; do
	stream=false
	[ "$mode" = stream ] && stream=true
	# Warm up (connections, caches), then profile a run of its own.
	BENCH_KEY=$key BENCH_BODY=$(body $stream) taskset -c 1 wrk -t1 -c"$CONNS" -d3s -s bench/post.lua \
		"http://127.0.0.1:$CHAIN_PORT/v1/chat/completions" >/dev/null
	fetch allocs "$out/allocs-before.pb.gz"
	log "profiling $mode for ${DURATION}s"
	fetch "profile?seconds=$DURATION" "$out/cpu-$mode.pb.gz" &
	fetcher=$!
	BENCH_KEY=$key BENCH_BODY=$(body $stream) taskset -c 1 wrk -t1 -c"$CONNS" -d"$((DURATION - 1))s" -s bench/post.lua \
		"http://127.0.0.1:$CHAIN_PORT/v1/chat/completions" | awk '/Requests\/sec|Non-2xx/'
	wait $fetcher
	fetch allocs "$out/allocs-after.pb.gz"
	go tool pprof -proto -base "$out/allocs-before.pb.gz" "$out/allocs-after.pb.gz" >"$out/allocs-$mode.pb.gz" 2>/dev/null
	rm -f "$out/allocs-before.pb.gz" "$out/allocs-after.pb.gz"
done
cp bin/aigw "$out/aigw"

for mode in plain stream; do
	echo
	log "CPU, $mode (flat, top $TOP)"
	go tool pprof -top -nodecount="$TOP" "$out/aigw" "$out/cpu-$mode.pb.gz" 2>/dev/null | sed -n '1,6p;/flat%/,$p'
	echo
	log "allocated objects, $mode (flat, top $TOP)"
	go tool pprof -sample_index=alloc_objects -top -nodecount="$TOP" "$out/aigw" "$out/allocs-$mode.pb.gz" 2>/dev/null | sed -n '/flat%/,$p'
done
echo
echo "profiles in $out (binary: $out/aigw); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
