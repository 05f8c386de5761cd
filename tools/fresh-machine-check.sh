#!/usr/bin/env bash
# Runs the README's first command the way a new user's machine does: without the Debian packages
# `npm run stack -- up` installs, without a Go toolchain on PATH, with empty cache and state folders,
# in a fresh clone. Destructive for this machine (removes packages, wipes the stack's caches):
# run it on a disposable machine, as root, with --yes. Prints the cold time at the end.
#   bash tools/fresh-machine-check.sh --yes
set -euo pipefail
[ "${1:-}" = "--yes" ] || { echo "usage: $0 --yes   (removes Debian packages and the stack's caches; see the header)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "run as root: it removes Debian packages" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${TRACEHOP_CACHE_DIR:-/var/cache/tracehop}"
state="${TRACEHOP_STATE_DIR:-/var/lib/tracehop}"

echo "== stopping the stack and anything left from an earlier run"
(cd "$repo" && [ -d node_modules ] && npm run --silent stack -- down) || true

# What `up` installs from Debian when it is missing (infra/stack/src/install/prerequisites.ts,
# components/postgres.ts, components/prometheus.ts); the JRE goes with the JDK.
packages=(prometheus postgresql-15 postgresql-client-15 postgresql-common openjdk-17-jdk-headless openjdk-17-jre-headless maven)
echo "== removing Debian packages: ${packages[*]}"
installed=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 && installed+=("$p"); done
[ ${#installed[@]} -eq 0 ] || DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${installed[@]}" >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get autoremove -y -qq >/dev/null

echo "== emptying $cache and $state"
rm -rf "$cache" "$state"

# Go stays installed for the machine's other users; the check runs with it off PATH, so `up`
# fetches the toolchain from the module proxy as it does where there is none.
path_without_go="$(tr ':' '\n' <<<"$PATH" | { grep -v -e '/go/bin$' -e '^/usr/local/go' || true; } | paste -sd:)"
if found="$(PATH="$path_without_go" command -v go)"; then
  echo "a Go toolchain is still on PATH without its folder ($found, Debian's golang-go?): remove it first" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
git clone -q "$repo" "$work/tracehop"
# npm's own download cache (~/.npm) is kept: it holds registry tarballs, not anything tracehop builds.
echo "== fresh clone at $work/tracehop; go on PATH: none; java: $(command -v java || echo none)"

start=$(date +%s)
cd "$work/tracehop"
# The README's first command; --stop-after ends the demo after its story instead of waiting for Ctrl-C.
PATH="$path_without_go" bash -c 'npm install && npm run demo -- --stop-after'
end=$(date +%s)
echo "== cold: npm install && npm run demo took $((end - start)) s ($(( (end - start) / 60 )) min $(( (end - start) % 60 )) s)"
