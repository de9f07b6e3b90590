#!/usr/bin/env bash
# Coverage-guided fuzzing of the tracker's parsers: SharpFuzz instruments our assemblies, AFL++ drives them.
#   tools/fuzz/run.sh [TARGET|all] [SECONDS]        default: all targets, 20 s each (the short run tools/test.sh calls)
#   tools/fuzz/run.sh udp 3600                       the long run of one target (docs/reliability.md)
#   ST_FUZZ_KEEP=DIR tools/fuzz/run.sh ...           keep findings (and the grown corpus) in DIR instead of a temporary folder
# Targets: http-announce http-scrape percent bencode udp sync-batch cloudevents (see tools/ServerlessTracker.Fuzz).
# Installs afl++ from Debian when afl-fuzz is missing. Exits 1 when a target crashed, printing each crash's exception;
# turn each one into a regression test (and add its input to tools/fuzz/corpus/TARGET) before fixing it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${1:-all}"
seconds="${2:-20}"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "fuzz: installing afl++"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi

work="${ST_FUZZ_KEEP:-$(mktemp -d)}"
mkdir -p "$work"
[ -n "${ST_FUZZ_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
bin="$work/bin"
plain="$work/plain"

# A fresh build every run: instrumentation rewrites the assemblies in place, once. Crashes are replayed on an
# uninstrumented copy (instrumented code only runs inside SharpFuzz's loop, where AFL's coverage memory is mapped).
rm -rf "$bin" "$plain"
dotnet build "$root/tools/ServerlessTracker.Fuzz" -c Release -o "$bin" --nologo -v q -clp:ErrorsOnly >/dev/null
cp -r "$bin" "$plain"
harness=(dotnet "$bin/ServerlessTracker.Fuzz.dll")
replay=(dotnet "$plain/ServerlessTracker.Fuzz.dll")
"${harness[@]}" instrument "$bin" >/dev/null

if [ "$target" = all ]; then
  mapfile -t targets < <("${harness[@]}" list)
else
  targets=("$target")
fi

# dotnet is not an AFL-instrumented binary (the probes are in the IL); the runtime starts slowly on a busy machine;
# crashes are exceptions reported by SharpFuzz, not core dumps; the machine is shared, so no CPU pinning.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
       AFL_NO_UI=1 AFL_FORKSRV_INIT_TMOUT=60000 AFL_QUIET=1

failed=0
printf '%-14s %10s %10s %8s %8s %7s\n' target execs exec/s corpus crashes hangs
for name in "${targets[@]}"; do
  corpus="$root/tools/fuzz/corpus/$name"
  [ -d "$corpus" ] || { echo "fuzz: no seed corpus $corpus" >&2; exit 2; }
  findings="$work/findings/$name"
  mkdir -p "$work/findings"
  dictionary=()
  [ -f "$root/tools/fuzz/dictionaries/$name.dict" ] && dictionary=(-x "$root/tools/fuzz/dictionaries/$name.dict")
  # -G: inputs up to 64 KiB (a whole datagram); -t: 5 s per input (a hang is a finding too). On a loaded machine the
  # first dry run now and then sees an empty coverage map ("No instrumentation detected"): one more start settles it.
  for attempt in 1 2; do
    rm -rf "$findings"
    if nice afl-fuzz -i "$corpus" -o "$findings" -V "$seconds" -t 5000 -m none -G 65536 "${dictionary[@]}" \
         -- "${harness[@]}" fuzz "$name" >"$work/$name.log" 2>&1; then
      break
    fi
    if [ "$attempt" = 2 ] || ! grep -q "No instrumentation detected" "$work/$name.log"; then
      echo "fuzz: afl-fuzz failed for $name:"; tail -20 "$work/$name.log"; exit 2
    fi
  done
  stats="$findings/default/fuzzer_stats"
  field() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
  printf '%-14s %10s %10s %8s %8s %7s\n' "$name" "$(field execs_done)" "$(field execs_per_sec)" "$(field corpus_count)" "$(field saved_crashes)" "$(field saved_hangs)"
  crashes=("$findings"/default/crashes/id*)
  if [ -e "${crashes[0]}" ]; then
    failed=1
    echo "fuzz: $name crashed on ${#crashes[@]} inputs (in $findings/default/crashes):"
    "${replay[@]}" run "$name" "${crashes[@]}" 2>&1 | head -40 || true
  fi
  hangs=("$findings"/default/hangs/id*)
  if [ -e "${hangs[0]}" ]; then
    failed=1
    echo "fuzz: $name hung on ${#hangs[@]} inputs (in $findings/default/hangs)"
  fi
done

exit "$failed"
