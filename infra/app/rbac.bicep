// Every role assignment of a region, in one place. The region has two identities, each the only credential of what
// runs as it: no keys, no connection strings.
// - the function app's: the host storage (Blob Data Owner), the tables, the topic, telemetry;
// - the UDP relay's: the tables, the topic and pulling its image, nothing else (a relay that is taken over cannot
//   touch the function app's deployment package, keys or timer state).

@description('Principal id of the function app\'s user-assigned identity.')
param identityPrincipalId string

@description('Principal id of the UDP relay\'s user-assigned identity.')
param relayIdentityPrincipalId string

param storageAccountName string
param topicName string
param appInsightsName string
param registryName string

@description('Principal running azd, given table access for inspection. Empty: none.')
param deployerPrincipalId string = ''

@description('User or ServicePrincipal. Empty: Azure finds out.')
param deployerPrincipalType string = ''

// Built-in role definition ids (the same in every tenant).
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  eventGridDataSender: 'd5a91429-5739-47e2-a06b-3470a27159e7'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  acrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: registryName
}

// The Functions host: deployment package, timer leases and host state (AzureWebJobsStorage__*).
resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, roles.storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The tracker's swarms (Tracker__Tables__ServiceUri) from the function app.
resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identityPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Sync: the function app publishes this region's peer changes (Tracker__Sync__TopicEndpoint).
resource topicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, identityPrincipalId, roles.eventGridDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventGridDataSender)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Telemetry with local auth off (APPLICATIONINSIGHTS_AUTHENTICATION_STRING for the host; a token
// credential in the app's exporter).
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identityPrincipalId, roles.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.monitoringMetricsPublisher)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The relay's swarms: the same tables as the function app.
resource relayTableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, relayIdentityPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: relayIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// Sync: the relay publishes its UDP peers' changes to the same topic.
resource relayTopicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(topic.id, relayIdentityPrincipalId, roles.eventGridDataSender)
  scope: topic
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.eventGridDataSender)
    principalId: relayIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The relay's container group pulls its image with its identity.
resource relayImagePull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, relayIdentityPrincipalId, roles.acrPull)
  scope: registry
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.acrPull)
    principalId: relayIdentityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

// The operator may read and fix swarms by hand (Storage Explorer, az storage entity ...).
resource deployerTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  name: guid(storage.id, deployerPrincipalId, roles.storageTableDataContributor)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
    principalId: deployerPrincipalId
    principalType: empty(deployerPrincipalType) ? null : deployerPrincipalType
  }
}
