#!/usr/bin/env bash
# UDP announce throughput and CPU cost: our relay (in-memory store) against opentracker, in one run,
# same workload, each tracker pinned to one core and the load generator to another. Not a test.
# Usage: tools/ServerlessTracker.UdpLoad/compare-opentracker.sh [seconds per run] [rounds]
#   FLOOR=1 adds a fourth contender, floor/floor.c: recvmmsg/sendmmsg and fixed answers, no tracker at all, the
#   kernel's cost per announce on this machine (built with cc).
# Needs: opentracker (apt-get install opentracker), taskset (util-linux), 2+ cores. Loopback only.
set -euo pipefail
SECONDS_PER_RUN="${1:-10}"
ROUNDS="${2:-3}"
TRACKER_CORE="${TRACKER_CORE:-0}"
PRIORITY="${PRIORITY:-0}"   # e.g. PRIORITY=-10 (root) on a machine shared with other work
LOAD_CORE="${LOAD_CORE:-1}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$(mktemp -d)"
free_port() { # a UDP and TCP port nobody on this machine listens on (other benchmarks may run beside us)
  while :; do p=$((20000 + RANDOM % 20000)); { ss -ulnH "sport = :$p"; ss -tlnH "sport = :$p"; } | grep -q . || { echo "$p"; return; }; done
}
RELAY_PORT=$(free_port)
PLAIN_PORT=$(free_port)
OT_PORT=$(free_port)
FLOOR_PORT=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

command -v opentracker >/dev/null || { echo "opentracker is not installed (apt-get install opentracker)" >&2; exit 1; }
# The relay as deployed: `dotnet publish` (Native AOT). RELAY_PUBLISH="-p:PublishAot=false" measures the JIT build instead.
# shellcheck disable=SC2086
dotnet publish -c Release "$ROOT/functions/ServerlessTracker.UdpRelay" -o "$WORK/relay" ${RELAY_PUBLISH:-} -v q -nologo >/dev/null
dotnet build -c Release "$ROOT/tools/ServerlessTracker.UdpLoad" -v q -nologo >/dev/null
if [ -x "$WORK/relay/ServerlessTracker.UdpRelay" ]; then RELAY_CMD=("$WORK/relay/ServerlessTracker.UdpRelay"); else RELAY_CMD=(dotnet "$WORK/relay/ServerlessTracker.UdpRelay.dll"); fi
LOAD_DLL="$ROOT/tools/ServerlessTracker.UdpLoad/bin/Release/net10.0/ServerlessTracker.UdpLoad.dll"

# Debian builds opentracker with a whitelist: list the workload's torrents in it.
dotnet "$LOAD_DLL" --write-hashes "$WORK/whitelist.txt"
cat > "$WORK/opentracker.conf" <<CONF
listen.udp.workers 1
listen.udp 127.0.0.1:$OT_PORT
listen.tcp 127.0.0.1:$((OT_PORT + 1))
access.whitelist $WORK/whitelist.txt
tracker.rootdir $WORK
CONF

wait_udp() { # port, pid, log
  for _ in $(seq 150); do ss -ulpnH "sport = :$1" | grep -q "pid=$2," && return 0; sleep 0.1; done
  echo "port $1 never opened by pid $2:" >&2; cat "$3" >&2; exit 1
}

# The relay twice: the default batched loop (recvmmsg/sendmmsg) and the portable one-datagram loop. All load comes from
# the loopback, one address: the per-address swarm-creation budget is off and the per-address packet budget raised out
# of reach (it is still checked for every datagram, so its cost is in the figures).
export Tracker__SwarmCreation__PerAddress=0 Relay__RateLimit__PacketsPerSecond=10000000 Relay__RateLimit__Burst=10000000
Relay__Port=$RELAY_PORT Relay__Addresses=127.0.0.1 Relay__ReceiveLoops=1 Logging__LogLevel__Default=Warning \
  nice -n "$PRIORITY" taskset -c "$TRACKER_CORE" "${RELAY_CMD[@]}" >"$WORK/relay.log" 2>&1 &
RELAY_PID=$!; PIDS+=("$RELAY_PID")
Relay__Port=$PLAIN_PORT Relay__Addresses=127.0.0.1 Relay__ReceiveLoops=1 Relay__BatchSize=1 Logging__LogLevel__Default=Warning \
  nice -n "$PRIORITY" taskset -c "$TRACKER_CORE" "${RELAY_CMD[@]}" >"$WORK/plain.log" 2>&1 &
PLAIN_PID=$!; PIDS+=("$PLAIN_PID")
nice -n "$PRIORITY" taskset -c "$TRACKER_CORE" opentracker -f "$WORK/opentracker.conf" >"$WORK/opentracker.log" 2>&1 &
OT_PID=$!; PIDS+=("$OT_PID")
wait_udp "$RELAY_PORT" "$RELAY_PID" "$WORK/relay.log"; wait_udp "$PLAIN_PORT" "$PLAIN_PID" "$WORK/plain.log"; wait_udp "$OT_PORT" "$OT_PID" "$WORK/opentracker.log"
if [ "${FLOOR:-0}" = 1 ]; then
  cc -O2 -o "$WORK/floor" "$ROOT/tools/ServerlessTracker.UdpLoad/floor/floor.c"
  nice -n "$PRIORITY" taskset -c "$TRACKER_CORE" "$WORK/floor" "$FLOOR_PORT" >"$WORK/floor.log" 2>&1 &
  FLOOR_PID=$!; PIDS+=("$FLOOR_PID")
  wait_udp "$FLOOR_PORT" "$FLOOR_PID" "$WORK/floor.log"
fi

run() { nice -n "$PRIORITY" taskset -c "$LOAD_CORE" dotnet "$LOAD_DLL" --target "127.0.0.1:$1" --pid "$2" --seconds "$SECONDS_PER_RUN" --warmup "${WARMUP:-10}" --window "${WINDOW:-128}"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq "$ROUNDS"); do
  echo "round $round relay       $(run $RELAY_PORT $RELAY_PID)"
  echo "round $round relay-plain $(run $PLAIN_PORT $PLAIN_PID)"
  echo "round $round opentracker $(run $OT_PORT $OT_PID)"
  if [ "${FLOOR:-0}" = 1 ]; then echo "round $round floor       $(run "$FLOOR_PORT" "$FLOOR_PID")"; fi
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peak RSS kB: relay $(grep VmHWM /proc/$RELAY_PID/status | awk '{print $2}') relay-plain $(grep VmHWM /proc/$PLAIN_PID/status | awk '{print $2}') opentracker $(grep VmHWM /proc/$OT_PID/status | awk '{print $2}')"
