#!/usr/bin/env bash
# check-deps.sh — every module shared by two go.mod files must have the same
# version in both, so the gateway and the admin API build against one world.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$AIGW_ROOT"
awk '
	/^require \($/ { inreq = 1; next }
	inreq && /^\)$/ { inreq = 0; next }
	inreq && NF >= 2 { print FILENAME, $1, $2 }
	/^require [^(]/ { print FILENAME, $2, $3 }
' go.mod caddyplugins/go.mod admin-api/go.mod |
	grep -v ' github.com/aigw/aigw ' |
	awk '{ if ($2 in v && v[$2] != $3) { printf "%s: %s %s, but %s has %s\n", $1, $2, $3, f[$2], v[$2]; bad = 1 } v[$2] = $3; f[$2] = $1 }
	     END { exit bad }' || die "shared dependency versions differ between go.mod files"
