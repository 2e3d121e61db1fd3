#!/usr/bin/env bash
# dashboard.sh build — build dashboard/ into caddyplugins/dashboard/dist (which
# go:embed puts in the aigw binary): `npm ci` when package-lock.json changed,
# `npm run build` when a source changed (a hash stamp), nothing otherwise.
# Without Node.js it warns and leaves the folder as it is: the binary then
# answers 503 "not built" at /.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT/dashboard"

if ! command -v npm >/dev/null; then
	log "warning: npm not found; the dashboard is not built (install Node.js 20.19+ and run make build again)"
	exit 0
fi
lock_hash=$(sha256sum package-lock.json | cut -c1-16)
if [ "$(cat node_modules/.aigw-lock 2>/dev/null)" != "$lock_hash" ]; then
	log "dashboard: npm ci"
	nice npm ci --no-audit --no-fund --loglevel=error >&2
	echo "$lock_hash" >node_modules/.aigw-lock
fi
dist=../caddyplugins/dashboard/dist
src_hash=$( (git ls-files -co --exclude-standard -- . ':!node_modules' 2>/dev/null || find . -path ./node_modules -prune -o -type f -print) |
	grep -v -e '\.test\.tsx\?$' -e '^e2e/' | sort | xargs sha256sum | sha256sum | cut -c1-16)
if [ -f "$dist/index.html" ] && [ "$(cat "$dist/.aigw-src" 2>/dev/null)" = "$src_hash" ]; then
	exit 0
fi
log "dashboard: building"
nice npm run build --silent >&2
echo "$src_hash" >"$dist/.aigw-src"
