#!/usr/bin/env bash
# The long soak (docs/reliability.md): the fault drill of tests/ServerlessTracker.Soak.Tests, many rounds.
#   tools/soak.sh [ROUNDS] [ANNOUNCES_PER_SECOND]       default: 20 rounds (about 10 minutes) at 200 announces/s
# Each round: Azurite down 10 s and back, then instance A restarted with its Event Grid topic switched between a closed
# port and a live region. Exits 1 on any violation (an invalid answer, a lost completion, swarms that disagree).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-20}"
rate="${2:-200}"
if [ -z "${ST_AZURITE:-}" ] && [ ! -x "$root/tools/node_modules/.bin/azurite-table" ]; then
  (cd "$root/tools" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
export ST_AZURITE="${ST_AZURITE:-$root/tools/node_modules/.bin/azurite-table}"
exec dotnet run --project "$root/tools/ServerlessTracker.Soak" -c Release -- --rounds "$rounds" --rate "$rate"
