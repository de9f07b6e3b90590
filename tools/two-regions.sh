#!/usr/bin/env bash
# Starts two tracker regions on this machine, each with its own Azurite, each publishing its peer
# changes to the other's /sync/events webhook — so anyone can watch one swarm span two regions.
#   tools/two-regions.sh            # east: http://127.0.0.1:7071/announce   west: http://127.0.0.1:7072/announce
#   tools/two-regions.sh --memory   # same, in-memory stores instead of Azurite
# Ctrl+C stops everything. Try: announce to east, then to west, and see east's peer in west's answer.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
memory=false
[ "${1:-}" = "--memory" ] && memory=true

key="local-sync-key-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "${out:-}"; }
trap cleanup EXIT INT TERM

if ! $memory; then
  [ -x tools/node_modules/.bin/azurite-table ] || (cd tools && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  for port in 10102 10202; do
    tools/node_modules/.bin/azurite-table --inMemoryPersistence --tableHost 127.0.0.1 --tablePort "$port" --skipApiVersionCheck --loose --disableTelemetry >/dev/null 2>&1 &
    pids+=($!)
  done
fi

out="$(mktemp -d)"
dotnet build functions/ServerlessTracker.Server -c Release -v q --nologo -o "$out" >/dev/null
app="$out/ServerlessTracker.Server"

start_region() { # name port peer-port azurite-port
  local env=(
    "Tracker__Region=$1"
    "Tracker__Sync__TopicEndpoint=http://127.0.0.1:$3/sync/events"
    "Tracker__Sync__TopicKey=$key"
    "Tracker__Sync__ReceiverKey=$key"
  )
  if ! $memory; then
    env+=("Tracker__Tables__ConnectionString=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:$4/devstoreaccount1;")
  fi
  env "${env[@]}" "$app" --urls "http://127.0.0.1:$2" > >(sed "s/^/[$1] /") 2>&1 &
  pids+=($!)
}
start_region east 7071 7072 10102
start_region west 7072 7071 10202

echo "east: http://127.0.0.1:7071/announce   west: http://127.0.0.1:7072/announce   (stats: /stats)"
echo "Ctrl+C to stop."
wait
