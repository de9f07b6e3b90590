#!/usr/bin/env bash
# Cross-region sync: deploys infra/app/sync-subscriptions.bicep, an Event Grid subscription from every
# region's topic to every other region's `sync` function. Runs after the code is on every app (Event
# Grid checks that the function exists), so it first waits until each app lists `sync`.
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
require_tool az

sync_function="sync"
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

log "subscribing ${regions[*]} to each other"
az deployment group create \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name "tracker-sync-subscriptions" \
  --template-file "$repo_root/infra/app/sync-subscriptions.bicep" \
  --parameters environmentName="$AZURE_ENV_NAME" regions="$(json_array "${regions[@]}")" \
  --output none
