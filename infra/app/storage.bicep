// A region's storage account: the Flex Consumption deployment container (and the Functions host's
// own blobs), the tracker's tables and the container of its published full scrape. Shared-key access
// is off: everything reaches it with the user-assigned identity (Entra ID).

param name string
param location string
param tags object
param skuName string
param deploymentContainerName string

@description('Container of the full scrape the purge publishes (Tracker:FullScrape:Container, default of FullScrapeBlobOptions.Container). Private: every instance reads it with the identity and serves it.')
param fullScrapeContainerName string = 'fullscrape'

@description('Tables the tracker uses; the app also creates missing ones at start (Tracker:Tables:CreateTables), so this list only saves the first start a round trip. Defaults of TableStoreOptions.SwarmsTable and IndexTable.')
param tableNames array = [
  'swarms'
  'swarmindex'
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    supportsHttpsTrafficOnly: true
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource deployment 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    resource fullScrape 'containers' = {
      name: fullScrapeContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource tables 'tables' = [for table in tableNames: {
      name: table
    }]
  }
}

output name string = storage.name
output blobEndpoint string = storage.properties.primaryEndpoints.blob
