#!/usr/bin/env bash
# The one test command (README): installs what the tests need on a fresh machine, then runs every test, fast ones first.
#   tools/test.sh                      all stages: unit tests, then integration tests, then a short fuzz of every parser
#   tools/test.sh [dotnet test args]   e.g. --filter FullyQualifiedName~Engine: that selection over the whole solution, no fuzzing
# Installs: Debian packages (python3-libtorrent for the end-to-end downloads; shellcheck for the scripts; chromium, headless,
# for the stats page; clang and zlib for the Native AOT publish of the server and relay, which the tests run; afl++ for the
# fuzz stage, installed by tools/fuzz/run.sh), and the npm tools in tools/node_modules
# (Azurite, the real Table service; the bittorrent-tracker client). The Bicep CLI comes from NuGet with the Infra tests.
# The tests start their own Azurite instances (tools/node_modules/.bin/azurite-table) on free ports, so they can stop and
# restart storage mid-test; they fail, never skip, when a program is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
/usr/bin/python3 -c "import libtorrent" >/dev/null 2>&1 || missing+=(python3-libtorrent)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -e /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]}"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x tools/node_modules/.bin/azurite-table ] || [ ! -d tools/node_modules/bittorrent-tracker ]; then
  echo "test.sh: installing npm tools (azurite, bittorrent-tracker)"
  # --ignore-scripts: bittorrent-tracker's optional WebRTC addon downloads from GitHub at install; its HTTP/UDP client needs none of it.
  (cd tools && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
export ST_NODE_MODULES="$root/tools/node_modules"
export ST_AZURITE="$root/tools/node_modules/.bin/azurite-table"

started=$SECONDS
stage() {
  local name="$1" begin=$SECONDS
  shift
  echo "test.sh: stage '$name'"
  if ! "$@"; then
    echo "test.sh: stage '$name' FAILED after $((SECONDS - begin)) s; later stages not run"
    exit 1
  fi
  echo "test.sh: stage '$name' passed in $((SECONDS - begin)) s"
}

if [ $# -gt 0 ]; then
  dotnet test ServerlessTracker.sln --nologo --logger "console;verbosity=minimal" "$@"
  exit
fi

stage build dotnet build ServerlessTracker.sln --nologo -v quiet
# Formatting, code style and analyzers as .editorconfig sets them (the build already fails on analyzer warnings).
stage style dotnet format ServerlessTracker.sln --verify-no-changes --no-restore
stage unit dotnet test tests/unit.slnf --no-build --nologo --logger "console;verbosity=minimal"
stage integration dotnet test tests/integration.slnf --no-build --nologo --logger "console;verbosity=minimal"
# A crash or a hang fails the run. The long run is tools/fuzz/run.sh all 3600 (docs/reliability.md).
stage fuzz tools/fuzz/run.sh all "${ST_FUZZ_SECONDS:-15}"
echo "test.sh: every stage passed in $((SECONDS - started)) s"
