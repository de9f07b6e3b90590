// ServerlessTracker on Azure: one tracker per region (Flex Consumption function app, storage with the
// tracker tables, Event Grid topic, monitoring, a user-assigned identity), a shared container registry
// for the UDP relay image, and optionally Azure Front Door as one HTTPS hostname over every region.
// What azd cannot deploy from here is done by the postdeploy hook (tools/hooks/postdeploy.sh): the
// package on the other regions' apps, the relay's container groups (infra/app/relay.bicep) and the
// Event Grid subscriptions between regions (infra/app/sync-subscriptions.bicep).
targetScope = 'subscription'

import { regionToken, regionNames, environmentToken, environmentNames } from 'app/names.bicep'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; seeds every resource name.')
param environmentName string

@minLength(1)
@description('Primary region: the resource group, the registry and the first tracker region (azd location).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Comma-separated regions that each run a tracker (azd env TRACKER_REGIONS). The primary location is always one, and first. Empty: one region.')
param regions string = ''

@description('Object id of the principal running azd; it gets read/write on the tracker tables for inspection. Empty: none.')
param principalId string = ''

@description('Type of that principal: User or ServicePrincipal. Empty: let Azure find out.')
param principalType string = ''

@description('Private mode: announces need a passkey (Tracker__Private__Enabled).')
param privateMode bool = false

@description('Extra proxy addresses or CIDR ranges whose forwarded headers the tracker believes (Tracker__Network__TrustedProxies). The Functions host on the loopback is trusted without this.')
param trustedProxies array = []

@description('Azure Front Door (Standard) in front of every region: one HTTPS hostname routed to the nearest healthy region; the apps then accept HTTP only from this Front Door (and Event Grid).')
param frontDoorEnabled bool = false

@description('HTTPS only: the function apps redirect http:// to https:// and the Front Door route takes HTTPS alone. Off by default: many BitTorrent clients announce over plain HTTP and do not follow redirects. Private mode turns it on whatever this says: passkeys travel in URLs.')
param httpsOnly bool = false

@description('NCRONTAB schedule (6 fields, UTC) of the purge timer in every region (app setting PurgeSchedule).')
param purgeSchedule string = '0 */1 * * * *'

@description('Memory of one Flex Consumption instance, in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances one region scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('HTTP requests one instance serves at once before the platform adds an instance. Announces are short and wait on storage, so one instance takes many.')
@minValue(1)
@maxValue(1000)
param httpPerInstanceConcurrency int = 100

@description('Instances kept warm for the HTTP functions in each region (billed while idle). 0 scales to zero; a cold start costs the first announce about a second.')
@minValue(0)
param alwaysReadyHttpInstances int = 0

@description('Redundancy of each region\'s storage account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
])
param storageSku string = 'Standard_LRS'

var listedRegions = filter(map(split(regions, ','), r => toLower(trim(r))), r => !empty(r))
// union keeps the first occurrence of each region: the primary location first, then the listed ones in order.
var regionList = union([toLower(location)], listedRegions)
var envToken = environmentToken(subscription().id, environmentName)
var envNames = environmentNames(environmentName, envToken)
var regionConfigs = [for r in regionList: {
  region: r
  names: regionNames(regionToken(subscription().id, environmentName, r))
}]
var tags = {
  'azd-env-name': environmentName
}
// Private mode puts passkeys in announce URLs: plain HTTP would show them to anyone on the path.
var httpsOnlyInEffect = httpsOnly || privateMode

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: envNames.resourceGroup
  location: location
  tags: tags
}

module registry 'app/registry.bicep' = {
  name: 'registry'
  scope: rg
  params: {
    name: envNames.registry
    location: location
    tags: tags
  }
}

module frontDoor 'app/frontdoor.bicep' = if (frontDoorEnabled) {
  name: 'front-door'
  scope: rg
  params: {
    name: envNames.frontDoor
    endpointName: envNames.frontDoorEndpoint
    tags: tags
  }
}

module trackerRegions 'app/region.bicep' = [for (config, i) in regionConfigs: {
  name: 'region-${config.region}'
  scope: rg
  params: {
    region: config.region
    names: config.names
    tags: union(tags, {
      'tracker-region': config.region
    })
    // Only the primary region's app carries the azd service tag: azd deploys the package there, the
    // postdeploy hook copies it to the others (azd expects exactly one resource per service).
    serviceName: i == 0 ? 'api' : ''
    registryName: registry.outputs.name
    principalId: principalId
    principalType: principalType
    privateMode: privateMode
    trustedProxies: trustedProxies
    frontDoorId: frontDoorEnabled ? frontDoor!.outputs.frontDoorId : ''
    publicHostName: frontDoorEnabled ? frontDoor!.outputs.endpointHostName : ''
    httpsOnly: httpsOnlyInEffect
    purgeSchedule: purgeSchedule
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
    storageSku: storageSku
  }
}]

module frontDoorOrigins 'app/frontdoor-origins.bicep' = if (frontDoorEnabled) {
  name: 'front-door-origins'
  scope: rg
  params: {
    // Read from the profile module's output, so the origins wait for the profile.
    profileName: frontDoor!.outputs.name
    endpointName: frontDoor!.outputs.endpointName
    httpsOnly: httpsOnlyInEffect
    originHostNames: [for (config, i) in regionConfigs: trackerRegions[i].outputs.hostName]
  }
}

var primaryUrl = 'https://${trackerRegions[0].outputs.hostName}'
var publicUrl = frontDoorEnabled ? 'https://${frontDoorOrigins!.outputs.hostName}' : primaryUrl

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output SERVICE_API_NAME string = regionConfigs[0].names.functionApp
output SERVICE_API_URI string = primaryUrl
// Space-separated, in region order, for the hooks (plain sh words, no JSON parsing needed).
output TRACKER_REGION_NAMES string = join(regionList, ' ')
output TRACKER_FUNCTION_APP_NAMES string = join(map(regionConfigs, c => c.names.functionApp), ' ')
output TRACKER_PRIVATE_MODE bool = privateMode
output TRACKER_PUBLIC_URL string = publicUrl
output TRACKER_ANNOUNCE_URL string = '${publicUrl}/announce'
