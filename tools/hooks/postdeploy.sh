#!/usr/bin/env bash
# azd postdeploy hook (azure.yaml). azd has just put the package on the primary region's function app;
# this finishes what azd cannot do by itself, each step also runnable alone:
#   1. deploy-regions.sh      the same package on every other region's function app
#   2. deploy-relay.sh        the UDP relay image (az acr build) and its container group per region (ACI)
#   3. sync-subscriptions.sh  Event Grid subscriptions from every region's topic to every other region's
#                             syncevents webhook (/sync/events, with that function's key)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

"$here/deploy-regions.sh"
"$here/deploy-relay.sh"
"$here/sync-subscriptions.sh"

# shellcheck source=SCRIPTDIR/common.sh
. "$here/common.sh"
log "tracker: ${TRACKER_ANNOUNCE_URL:-?}  (regions: ${TRACKER_REGION_NAMES:-?})"
