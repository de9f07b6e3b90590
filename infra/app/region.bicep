// One tracker region: its identities (the function app's, and the UDP relay's own), storage (deployment container + tracker tables), monitoring,
// Event Grid topic and Flex Consumption function app, and the identity's roles. The UDP relay's
// container group for the region is deployed later by the postdeploy hook (relay.bicep), once its
// image is in the registry.

@description('Azure region of every resource in this module.')
param region string

@description('Resource names for this region (names.bicep regionNames).')
param names object

param tags object

@description('azd service name for the app ("api" on the primary region, empty elsewhere).')
param serviceName string

@description('The environment\'s container registry: the relay\'s identity may pull the relay image from it.')
param registryName string

param principalId string
param principalType string
param privateMode bool
param trustedProxies array
param frontDoorId string

@description('Host name clients announce to when it is not the app\'s own (Front Door\'s endpoint); empty: the app\'s.')
param publicHostName string
param httpsOnly bool
param purgeSchedule string
param instanceMemoryMB int
param maximumInstanceCount int
param httpPerInstanceConcurrency int
param alwaysReadyHttpInstances int
param storageSku string

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.identity
  location: region
  tags: tags
}

// The relay's own identity (relay.bicep finds it by name): it needs the tables, the topic and the registry, not the
// host storage that the app's identity owns.
resource relayIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: names.relayIdentity
  location: region
  tags: tags
}

module storage 'storage.bicep' = {
  name: 'storage-${region}'
  params: {
    name: names.storage
    location: region
    tags: tags
    skuName: storageSku
    deploymentContainerName: names.deploymentContainer
  }
}

module monitoring 'monitoring.bicep' = {
  name: 'monitoring-${region}'
  params: {
    logAnalyticsName: names.logAnalytics
    appInsightsName: names.appInsights
    location: region
    tags: tags
  }
}

module topic 'eventgrid.bicep' = {
  name: 'eventgrid-${region}'
  params: {
    name: names.topic
    location: region
    tags: tags
  }
}

module rbac 'rbac.bicep' = {
  name: 'rbac-${region}'
  params: {
    identityPrincipalId: identity.properties.principalId
    relayIdentityPrincipalId: relayIdentity.properties.principalId
    storageAccountName: storage.outputs.name
    topicName: topic.outputs.name
    appInsightsName: monitoring.outputs.appInsightsName
    registryName: registryName
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
  }
}

module api 'api.bicep' = {
  name: 'api-${region}'
  params: {
    name: names.functionApp
    planName: names.plan
    location: region
    tags: tags
    serviceName: serviceName
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: names.deploymentContainer
    appInsightsName: monitoring.outputs.appInsightsName
    topicName: topic.outputs.name
    region: region
    privateMode: privateMode
    trustedProxies: trustedProxies
    frontDoorId: frontDoorId
    publicHostName: publicHostName
    httpsOnly: httpsOnly
    purgeSchedule: purgeSchedule
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    httpPerInstanceConcurrency: httpPerInstanceConcurrency
    alwaysReadyHttpInstances: alwaysReadyHttpInstances
  }
  // The host reaches its storage with the identity from the first start: grant the roles first.
  dependsOn: [
    rbac
  ]
}

output functionAppName string = api.outputs.name
output hostName string = api.outputs.hostName
output identityClientId string = identity.properties.clientId
