#!/usr/bin/env bash
# Installs, from Debian's packages, the programs Streamlab's tests use as real peers and oracles, when missing:
#   ./scripts/ensure-deps.sh ffmpeg [maven] [chromium] ...
# As root it runs apt-get (after one apt-get update); otherwise it uses `sudo -n` when that works without a
# password, and else says what to install. It never fails the caller: a test that needs a missing program
# is skipped with that same message, except under CI=true, where it fails.
set -uo pipefail

declare -A COMMAND=( [ffmpeg]=ffprobe [maven]=mvn [chromium]=chromium [chromium-driver]=chromedriver [nginx]=nginx )
missing=()
for pkg in "$@"; do
  cmd="${COMMAND[$pkg]:-$pkg}"
  command -v "$cmd" >/dev/null 2>&1 || [ -x "/usr/sbin/$cmd" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
if [ "$sudo" = none ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-deps: missing ${missing[*]}; install them (Debian: apt-get install ${missing[*]})." >&2
  echo "ensure-deps: tests that need them will be skipped (and fail under CI=true)." >&2
  exit 0
fi
echo "ensure-deps: installing ${missing[*]} from Debian ..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1 || echo "ensure-deps: apt-get update failed; trying the install anyway" >&2
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/streamlab-apt.log 2>&1; then
  echo "ensure-deps: apt-get install ${missing[*]} failed; see /tmp/streamlab-apt.log" >&2
fi
exit 0
