# Shared helpers for aigw's scripts. Source it; it sets AIGW_ROOT and AIGW_DATA.
set -euo pipefail
AIGW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AIGW_DATA=${AIGW_DATA:-$AIGW_ROOT/.data}
mkdir -p "$AIGW_DATA"

log() { printf '\033[1m[aigw]\033[0m %s\n' "$*" >&2; }
die() { printf '[aigw] error: %s\n' "$*" >&2; exit 1; }

# apt_install PKG... installs Debian packages when a command is missing.
apt_install() {
	command -v apt-get >/dev/null || die "missing $*; install it with your package manager"
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	log "installing $* from Debian's packages"
	if [ ! -f "$AIGW_DATA/.apt-updated" ]; then
		$sudo apt-get update -qq >&2 && touch "$AIGW_DATA/.apt-updated"
	fi
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >&2
}
