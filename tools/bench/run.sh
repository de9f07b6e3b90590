#!/usr/bin/env bash
# Side-by-side benchmark of our tracker and opentracker on loopback (see docs/benchmark.md).
#
#   tools/bench/run.sh [--duration 10] [--warmup 3] [--scenarios announce-keepalive,announce-close,scrape-keepalive]
#                      [--trackers opentracker,serverless,function-app,floor] [--startup-runs 5] [--connections 32] ...
#
# Installs opentracker if missing, publishes our tracker (Release, self-contained) and the benchmark tool,
# then runs the tool pinned to the load CPU (BENCH_LOAD_CPU, default 1) while it pins each tracker to the
# tracker CPU (--tracker-core, default 0). The Markdown report is printed and written to
# artifacts/bench/results.md (override with --output). Every option is passed to the tool; `--help` lists them.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
load_cpu="${BENCH_LOAD_CPU:-1}"
work="$(mktemp -d /tmp/stbench-run-XXXXXX)"

need_apt=()
command -v opentracker >/dev/null || need_apt+=(opentracker)
command -v taskset >/dev/null || need_apt+=(util-linux)
command -v getconf >/dev/null || need_apt+=(libc-bin)
if [[ " $* " == *floor* ]]; then command -v cc >/dev/null || need_apt+=(gcc libc6-dev); fi
if ((${#need_apt[@]})); then
  echo "installing ${need_apt[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

echo "building the benchmark tool and publishing our tracker (Release) into $work" >&2
nice dotnet publish "$repo/tools/bench/ServerlessTracker.Bench" -c Release -o "$work/bench" -nologo -v quiet \
  --artifacts-path "$work/bench-artifacts" >&2

args=()
has_output=0
has_trackers=0
for arg in "$@"; do
  [[ "$arg" == --output ]] && has_output=1
  [[ "$arg" == --trackers ]] && has_trackers=1
done
if [[ -d "$repo/functions/ServerlessTracker.Server" ]]; then
  # As deployed: Native AOT. TRACKER_PUBLISH="-p:PublishAot=false" measures the ReadyToRun (JIT) build instead.
  # shellcheck disable=SC2086
  nice dotnet publish "$repo/functions/ServerlessTracker.Server" -c Release -o "$work/tracker" -nologo -v quiet \
    --artifacts-path "$work/tracker-artifacts" ${TRACKER_PUBLISH:-} >&2
  args+=(--serverless-exe "$work/tracker/ServerlessTracker.Server")
elif ((!has_trackers)); then
  echo "functions/ServerlessTracker.Server does not exist yet: comparing opentracker with a second opentracker" >&2
  args+=(--trackers "opentracker,opentracker2")
fi
if [[ " $* " == *function-app* ]]; then
  nice dotnet publish "$repo/functions/ServerlessTracker.FunctionApp" -c Release -o "$work/function-app" -nologo -v quiet \
    --artifacts-path "$work/function-app-artifacts" -warnAsMessage:NU1603 >&2
  args+=(--function-app-dir "$work/function-app")
fi
if [[ " $* " == *floor* ]]; then
  # The kernel's floor: fixed answers on the same system calls as our listener, no tracker (tools/bench/floor).
  cc -O2 -pthread -o "$work/http-floor" "$repo/tools/bench/floor/http-floor.c"
  args+=(--floor-exe "$work/http-floor")
fi
((has_output)) || args+=(--output "$repo/artifacts/bench/results.md")

# Socket continuations run inline on the epoll thread: the load generator then behaves like one event loop.
export DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
export DOTNET_TieredPGO=1
export BENCH_COMMAND="tools/bench/run.sh${*:+ $*}"
status=0
taskset -c "$load_cpu" "$work/bench/ServerlessTracker.Bench" --work-dir "$work/run" "${args[@]}" "$@" || status=$?
rm -rf "$work/bench-artifacts" "$work/tracker-artifacts" "$work/function-app-artifacts"
echo "published builds, configs and tracker logs: $work" >&2
exit "$status"
