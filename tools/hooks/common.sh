#!/usr/bin/env bash
# Shared by the azd hooks in this folder (sourced, not run). azd runs a hook with the environment's
# values (azd env get-values: AZURE_ENV_NAME, AZURE_LOCATION, the outputs of infra/main.bicep, ...)
# as environment variables.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export repo_root

log() { printf '[%s] %s\n' "$(basename "$0" .sh)" "$*" >&2; }

die() { log "error: $*"; exit 1; }

# require NAME...: fail with a clear message when an azd value a hook needs is missing.
require() {
  local name
  for name in "$@"; do
    if [ -z "${!name:-}" ]; then
      die "$name is not set; run this through azd (azd up / azd deploy) or export it (azd env get-values)"
    fi
  done
}

# require_tool NAME...: fail early when a command-line tool is missing.
require_tool() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed or not on PATH"
  done
}

# json_array WORD...: ["WORD",...] for a Bicep array parameter (region and resource names need no escaping).
json_array() {
  local out="[" sep="" word
  for word in "$@"; do
    out="$out$sep\"$word\""
    sep=","
  done
  printf '%s]' "$out"
}
