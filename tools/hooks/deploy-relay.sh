#!/usr/bin/env bash
# The UDP relay in every region: builds its image in the environment's registry with `az acr build`
# (no local Docker needed) from functions/ServerlessTracker.UdpRelay/Dockerfile, then deploys
# infra/app/relay.bicep (an ACI container group with a public UDP port per region).
#   RELAY_IMAGE=registry/repo:tag    deploy this image instead of building one.
#   RELAY_CONNECTION_ID_KEY          base64 key shared by every relay; generated once and kept in the azd
#                                    environment (.azure/<env>/.env, never committed) when unset.
set -euo pipefail
# shellcheck source=SCRIPTDIR/common.sh
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

require AZURE_ENV_NAME AZURE_RESOURCE_GROUP AZURE_CONTAINER_REGISTRY_NAME AZURE_CONTAINER_REGISTRY_ENDPOINT TRACKER_REGION_NAMES
require_tool az
read -r -a regions <<< "$TRACKER_REGION_NAMES"
dockerfile="functions/ServerlessTracker.UdpRelay/Dockerfile"
tag="$(date -u +%Y%m%d%H%M%S)"

image="${RELAY_IMAGE:-}"
if [ -z "$image" ]; then
  [ -f "$repo_root/$dockerfile" ] || die "$dockerfile not found: build the relay image yourself and set RELAY_IMAGE"
  image="$AZURE_CONTAINER_REGISTRY_ENDPOINT/tracker-relay:$tag"
  log "building $image in $AZURE_CONTAINER_REGISTRY_NAME"
  az acr build --registry "$AZURE_CONTAINER_REGISTRY_NAME" --image "tracker-relay:$tag" \
    --file "$repo_root/$dockerfile" "$repo_root" --output none
fi

key="${RELAY_CONNECTION_ID_KEY:-}"
if [ -z "$key" ]; then
  require_tool azd openssl
  key="$(openssl rand -base64 32)"
  azd env set RELAY_CONNECTION_ID_KEY "$key" --environment "$AZURE_ENV_NAME" >/dev/null
  log "generated RELAY_CONNECTION_ID_KEY and stored it in the azd environment"
fi

# The key goes in a parameters file readable by this user only, never on a command line.
params="$(umask 077 && mktemp)"
trap 'rm -f "$params"' EXIT
printf '{"contentVersion":"1.0.0.0","parameters":{"connectionIdKey":{"value":"%s"}}}\n' "$key" > "$params"

log "deploying the relay to ${regions[*]}"
az deployment group create \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name "tracker-relay" \
  --template-file "$repo_root/infra/app/relay.bicep" \
  --parameters "@$params" \
  --parameters environmentName="$AZURE_ENV_NAME" regions="$(json_array "${regions[@]}")" \
    image="$image" privateMode="${TRACKER_PRIVATE_MODE:-false}" \
  --query "properties.outputs.relayHostNames.value" --output tsv |
  while read -r host; do log "relay: udp://$host:6969/announce"; done
