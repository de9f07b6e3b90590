// A region's Event Grid topic: the tracker publishes its peer changes here as CloudEvents 1.0
// (Tracker__Sync__TopicEndpoint). Keys are off: publishers authenticate with Entra ID (the region's
// identity holds EventGrid Data Sender). Subscriptions to the other regions' `syncevents` webhooks are
// created after code deployment by tools/hooks/sync-subscriptions.sh (sync-subscriptions.bicep).

param name string
param location string
param tags object

resource topic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = topic.name
output endpoint string = topic.properties.endpoint
