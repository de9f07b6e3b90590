#!/usr/bin/env bash
# Puts the function app package on every region after the first. azd deploys service `api` only to the
# app tagged azd-service-name=api (the primary region); the package is the same everywhere, so it is
# packaged once more by azd itself and pushed to the other apps with the Flex Consumption deployment API.
#   TRACKER_PACKAGE=path/to/package.zip  reuse a package instead of running `azd package api`.
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require AZURE_ENV_NAME AZURE_RESOURCE_GROUP TRACKER_FUNCTION_APP_NAMES
read -r -a apps <<< "$TRACKER_FUNCTION_APP_NAMES"
if [ "${#apps[@]}" -le 1 ]; then
  log "one region: azd already deployed ${apps[0]:-the app}"
  exit 0
fi
require_tool az

package="${TRACKER_PACKAGE:-}"
if [ -z "$package" ]; then
  require_tool azd
  mkdir -p "$repo_root/.azure/$AZURE_ENV_NAME"
  package="$repo_root/.azure/$AZURE_ENV_NAME/api-package.zip"
  log "packaging service api into $package"
  (cd "$repo_root" && azd package api --environment "$AZURE_ENV_NAME" --output-path "$package" --no-prompt)
fi
[ -f "$package" ] || die "package $package not found"

for app in "${apps[@]:1}"; do
  log "deploying $package to $app"
  az functionapp deployment source config-zip \
    --resource-group "$AZURE_RESOURCE_GROUP" --name "$app" --src "$package" --output none
done
