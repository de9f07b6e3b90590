#!/usr/bin/env bash
# Cross-region sync: deploys infra/app/sync-subscriptions.bicep, an Event Grid subscription from every
# region's topic to every other region's `syncevents` webhook (https://<app>/sync/events?code=<key>).
# Runs after the code is on every app: Event Grid sends the CloudEvents handshake (OPTIONS) to the
# webhook when it creates a subscription, so it first waits until each app lists `syncevents`. The key
# is each app's function key named TRACKER_SYNC_KEY_NAME (default eventgrid) on that function: read, or
# created by the platform when missing. Keys go to the deployment in a file only this user can read;
# they are never printed, and errors are shown with ?code= blanked out.
#   TRACKER_SYNC_KEY_NAME=eventgrid2   use (or create) another key name: rotation, docs/operator-guide.md.
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require AZURE_ENV_NAME AZURE_RESOURCE_GROUP TRACKER_REGION_NAMES TRACKER_FUNCTION_APP_NAMES
read -r -a regions <<< "$TRACKER_REGION_NAMES"
read -r -a apps <<< "$TRACKER_FUNCTION_APP_NAMES"
if [ "${#regions[@]}" -lt 2 ]; then
  log "one region: nothing to sync"
  exit 0
fi
[ "${#regions[@]}" -eq "${#apps[@]}" ] || die "TRACKER_REGION_NAMES and TRACKER_FUNCTION_APP_NAMES differ in length"
require_tool az

sync_function="syncevents"
key_name="${TRACKER_SYNC_KEY_NAME:-eventgrid}"
[[ "$key_name" =~ ^[A-Za-z0-9_-]+$ ]] || die "TRACKER_SYNC_KEY_NAME may hold letters, digits, - and _ only"

for app in "${apps[@]}"; do
  for attempt in $(seq 1 30); do
    if az functionapp function show --resource-group "$AZURE_RESOURCE_GROUP" --name "$app" \
        --function-name "$sync_function" --output none 2>/dev/null; then
      break
    fi
    [ "$attempt" -lt 30 ] || die "$app has no function '$sync_function' after 5 minutes: is the package deployed?"
    sleep 10
  done
done

# sync_key APP: the function key $key_name of APP's sync function on stdout, created when missing.
sync_key() {
  local app="$1" key
  # `keys list` answers {"default": "...", ...}; older CLI builds nest the names under "properties". A failure
  # here must not look like a missing key: `keys set` would then replace a key the subscriptions still use.
  key="$(az functionapp function keys list --resource-group "$AZURE_RESOURCE_GROUP" --name "$app" \
    --function-name "$sync_function" --query "\"$key_name\" || properties.\"$key_name\"" --output tsv)" ||
    die "could not list the function keys of $app/$sync_function"
  if [ -z "$key" ]; then
    log "creating function key '$key_name' on $app/$sync_function"
    # Without a value the platform generates the key, so it never appears on a command line.
    key="$(az functionapp function keys set --resource-group "$AZURE_RESOURCE_GROUP" --name "$app" \
      --function-name "$sync_function" --key-name "$key_name" --query "value || properties.value" --output tsv)"
  fi
  [ -n "$key" ] || die "no function key '$key_name' on $app/$sync_function"
  # Written into JSON below without escaping: keys are base64 or base64url.
  [[ "$key" =~ ^[A-Za-z0-9+/=_-]+$ ]] || die "the function key '$key_name' of $app has unexpected characters; set a new one"
  printf '%s' "$key"
}

keys_json="{"
sep=""
for i in "${!regions[@]}"; do
  key="$(sync_key "${apps[$i]}")"
  keys_json="$keys_json$sep\"${regions[$i]}\":\"$key\""
  sep=","
done
keys_json="$keys_json}"
unset key

params="$(umask 077 && mktemp)"
errors="$(umask 077 && mktemp)"
trap 'rm -f "$params" "$errors"' EXIT
printf '{"contentVersion":"1.0.0.0","parameters":{"syncKeys":{"value":%s}}}\n' "$keys_json" > "$params"
unset keys_json

# A cold app may miss Event Grid's handshake deadline: try the deployment three times.
log "subscribing ${regions[*]} to each other (key '$key_name')"
for attempt in 1 2 3; do
  if az deployment group create \
      --resource-group "$AZURE_RESOURCE_GROUP" \
      --name "tracker-sync-subscriptions" \
      --template-file "$repo_root/infra/app/sync-subscriptions.bicep" \
      --parameters "@$params" \
      --parameters environmentName="$AZURE_ENV_NAME" regions="$(json_array "${regions[@]}")" \
      --output none 2>"$errors"; then
    exit 0
  fi
  sed -E 's/(code=)[A-Za-z0-9%+\/=_-]*/\1<redacted>/g' "$errors" >&2
  [ "$attempt" -lt 3 ] || die "the subscriptions were not created (see above); run tools/hooks/sync-subscriptions.sh again"
  log "deployment failed (attempt $attempt of 3); retrying in 30 s"
  sleep 30
done
