#!/usr/bin/env bash
# test.sh — `make test`: start (or reuse) PostgreSQL and Redis, then run every
# test of every module with the race detector. Integration tests fail rather
# than skip when a service is missing, and any skipped test fails the run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"

pg_url=$(scripts/postgres.sh start | tail -n 1)
redis_url=$(scripts/redis.sh start | tail -n 1)
export AIGW_TEST_DATABASE_URL=${pg_url/\/aigw?/\/postgres?}
export AIGW_TEST_REDIS_URL=$redis_url
export AIGW_REQUIRE_INTEGRATION=1

scripts/check-deps.sh

log "go vet"
for m in . caddyplugins admin-api; do (cd "$m" && go vet ./...); done
unformatted=$(gofmt -l $(git ls-files '*.go'; git ls-files --others --exclude-standard '*.go'))
[ -z "$unformatted" ] || die "not gofmt-formatted: $unformatted"

log "go test -race (every module)"
out=$AIGW_DATA/test-output.txt
: >"$out"
status=0
for m in . caddyplugins admin-api; do
	(cd "$m" && go test -race -count=1 -v -timeout 20m ./...) >>"$out" 2>&1 || status=1
done
# Show the verdicts and any failure, not the passing tests' chatter.
grep -E '^(ok|FAIL|---|panic:|\s+--- FAIL|\s+\S+_test\.go:[0-9]+:)|^\s+--- SKIP|\[no test files\]' "$out" | grep -v -- '--- PASS' || true
skipped=$(grep -E -- '--- SKIP' "$out" || true)
if [ -n "$skipped" ]; then
	echo "$skipped"
	die "tests were skipped; every test must run under make test"
fi
passed=$(grep -cE -- '^\s*--- PASS' "$out" || true)
failed=$(grep -cE -- '^\s*--- FAIL' "$out" || true)

# The dashboard: Vitest, then the browser tests against the real binaries.
log "dashboard (vitest, chromium)"
dash_out=$AIGW_DATA/test-dashboard.txt
scripts/dashboard-e2e.sh >"$dash_out" 2>&1 || status=1
sed 's/\x1b\[[0-9;]*m//g' "$dash_out" | grep -E '^\s*(Tests|not ok|# (pass|fail|skipped))|dashboard figures|\[aigw\] error' || true
dash_passed=$(sed 's/\x1b\[[0-9;]*m//g' "$dash_out" | awk '/^ *Tests .* passed/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) s += $i} /^# pass / {s += $3} END {print s + 0}')
dash_failed=$(sed 's/\x1b\[[0-9;]*m//g' "$dash_out" | awk '/^ *Tests .* failed/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) s += $i} /^# fail / {s += $3} END {print s + 0}')
passed=$((passed + dash_passed))
failed=$((failed + dash_failed))
dash_skipped=$(sed 's/\x1b\[[0-9;]*m//g' "$dash_out" | awk '/^ *Tests .* skipped/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^skipped/) s += $i} /^# (skipped|todo) / {s += $3} END {print s + 0}')
echo "$passed passed, $failed failed"
[ "$dash_skipped" -eq 0 ] || die "dashboard tests were skipped ($dash_skipped); every test must run under make test; see $dash_out"
[ "$status" -eq 0 ] || die "tests failed; full output in $out and $dash_out"
