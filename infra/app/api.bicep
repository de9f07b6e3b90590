// A region's Flex Consumption plan and function app. The package is the .NET isolated worker's publish
// output (`dotnet publish functions/ServerlessTracker.FunctionApp`: the framework-dependent, ReadyToRun
// linux-x64 worker with worker.config.json, functions.metadata and host.json), so the runtime is
// 'dotnet-isolated' 10.0: the platform brings the .NET 10 runtime and starts the worker itself.
//
// Timers: the purge timer's lock and schedule status live in the host's storage (blob container
// azure-webjobs-hosts, under the host id). Each region has its own storage account and the host id is the
// app name's first 32 characters (func-<token>: 18), so regions never share a timer lock: every region
// purges its own tables.
//
// App settings: ONE list, `trackerSettings` below, holds every setting the tracker's code reads in
// Azure. It must match functions/ServerlessTracker.Http/Hosting/AzureAppSettings.cs; the infra
// tests (tests/ServerlessTracker.Infra.Tests) fail when the two drift apart.

param name string
param planName string
param location string
param tags object

@description('azd service name tag; empty for apps azd does not deploy to directly.')
param serviceName string = ''

param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param appInsightsName string
param topicName string

@description('Region name the tracker reports and stamps on its sync events (Tracker__Region).')
param region string

param privateMode bool
param trustedProxies array

@description('Front Door id (X-Azure-FDID) allowed to reach the app; empty when there is no Front Door.')
param frontDoorId string = ''

@description('Host name clients announce to when it is not the app\'s own (Front Door\'s endpoint); empty: the app\'s default host name.')
param publicHostName string = ''

@description('Redirect http:// to https:// (App Service httpsOnly): on when asked and always in private mode.')
param httpsOnly bool

@description('NCRONTAB schedule (6 fields, UTC) of the purge timer: the PurgeSchedule app setting its trigger names.')
param purgeSchedule string

param instanceMemoryMB int
param maximumInstanceCount int
param httpPerInstanceConcurrency int
param alwaysReadyHttpInstances int

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource topic 'Microsoft.EventGrid/topics@2025-02-15' existing = {
  name: topicName
}

// What the Functions host itself reads: its storage (timer locks, keys, host state) through the identity,
// which holds Storage Blob Data Owner on it (rbac.bicep). (Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME,
// FUNCTIONS_EXTENSION_VERSION, WEBSITE_RUN_FROM_PACKAGE and the content-share settings: the runtime is in
// functionAppConfig.)
var hostSettings = {
  AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
}

// What the tracker reads (AzureAppSettings.Required). No keys: tables, topic and telemetry are reached
// with the identity that AZURE_CLIENT_ID selects for DefaultAzureCredential.
var trackerSettings = {
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  // Read by the host and by the tracker's metrics exporter alike: Entra auth with this identity.
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  AZURE_CLIENT_ID: identityClientId
  Tracker__Region: region
  Tracker__Tables__ServiceUri: 'https://${storage.name}.table.${environment().suffixes.storage}'
  Tracker__Tables__ManagedIdentityClientId: identityClientId
  // The purge publishes the full scrape to the container storage.bicep makes; the identity's Storage Blob Data Owner
  // role (rbac.bicep, which the host needs anyway) covers it.
  Tracker__FullScrape__ServiceUri: storage.properties.primaryEndpoints.blob
  Tracker__Sync__TopicEndpoint: topic.properties.endpoint
  Tracker__Private__Enabled: privateMode ? 'true' : 'false'
  // The purge function's [TimerTrigger("%PurgeSchedule%")]: the host resolves it when it indexes the functions.
  PurgeSchedule: purgeSchedule
  // Announce URLs printed for new passkeys: always https on the public host name. Under the host the request the
  // admin call arrives in says neither (plain http from the host's proxy, the host's own Host header), and a
  // passkey handed out in an http:// URL would cross the network in clear on every announce.
  Tracker__Admin__PublicUrl: 'https://${empty(publicHostName) ? app.properties.defaultHostName : publicHostName}'
}

// Set only when asked (AzureAppSettings.Optional). Behind Front Door the App Service front end's
// client-ip names Front Door, not the client; Front Door's X-Azure-SocketIP names the TCP peer it
// accepted, and the access restrictions below let nothing but this Front Door reach the app.
var frontDoorSettings = empty(frontDoorId) ? {} : {
  Tracker__Network__ClientIpHeader: 'X-Azure-SocketIP'
}

// A list option binds from indexed keys (Tracker__Network__TrustedProxies__0, __1, ...).
var trustedProxySettings = toObject(range(0, length(trustedProxies)), i => 'Tracker__Network__TrustedProxies__${i}', i => string(trustedProxies[i]))

var frontDoorRestrictions = [
  {
    name: 'front-door'
    action: 'Allow'
    priority: 100
    tag: 'ServiceTag'
    ipAddress: 'AzureFrontDoor.Backend'
    headers: {
      'x-azure-fdid': [
        frontDoorId
      ]
    }
  }
  {
    // Other regions' Event Grid subscriptions deliver to the `syncevents` webhook (/sync/events) through
    // the app's public endpoint (sync-subscriptions.bicep).
    name: 'event-grid'
    action: 'Allow'
    priority: 110
    tag: 'ServiceTag'
    ipAddress: 'AzureEventGrid'
  }
]

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: empty(serviceName) ? tags : union(tags, { 'azd-service-name': serviceName })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: httpsOnly
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
      ipSecurityRestrictions: empty(frontDoorId) ? [] : frontDoorRestrictions
      ipSecurityRestrictionsDefaultAction: empty(frontDoorId) ? 'Allow' : 'Deny'
      // Deployments (azd, az functionapp deployment) still reach the SCM site from anywhere, with Entra ID.
      scmIpSecurityRestrictionsUseMain: false
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReadyHttpInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyHttpInstances
          }
        ] : []
        triggers: {
          http: {
            perInstanceConcurrency: httpPerInstanceConcurrency
          }
        }
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }

  resource settings 'config' = {
    name: 'appsettings'
    properties: union(hostSettings, trackerSettings, frontDoorSettings, trustedProxySettings)
  }

  // Deployments authenticate with Entra ID only.
  resource ftpCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmCredentials 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

output name string = app.name
output hostName string = app.properties.defaultHostName
