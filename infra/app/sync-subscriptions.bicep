// Cross-region sync: an Event Grid subscription from every region's topic to every other region's
// `sync` function (CloudEvents 1.0, delivered through the Functions host's Event Grid trigger, which
// authenticates Event Grid with the app's system key: no secret to manage). Deployed by
// tools/hooks/sync-subscriptions.sh after the code is on every app, because Event Grid checks that the
// function exists when the subscription is created.

import { regionToken, regionNames } from 'names.bicep'

@description('Name of the azd environment (AZURE_ENV_NAME).')
param environmentName string

@description('Regions running a tracker (TRACKER_REGION_NAMES).')
param regions array

@description('Minutes Event Grid keeps retrying one event. A change older than about half the announce interval is soon superseded by the peer\'s next announce.')
param eventTimeToLiveInMinutes int = 30

// The function that applies other regions' changes: functions/ServerlessTracker.Functions/sync/function.json.
var syncFunctionName = 'sync'

var count = length(regions)
// Every ordered pair of distinct regions: changes published in `from` are delivered to `to`.
var pairs = flatten(map(range(0, count), i => map(filter(range(0, count), j => j != i), j => {
  from: regions[i]
  to: regions[j]
})))

resource subscriptions 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [for pair in pairs: {
  name: '${regionNames(regionToken(subscription().id, environmentName, pair.from)).topic}/to-${pair.to}'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: resourceId('Microsoft.Web/sites/functions', regionNames(regionToken(subscription().id, environmentName, pair.to)).functionApp, syncFunctionName)
        // One CloudEvent per invocation; each event already carries a batch of peer changes.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    retryPolicy: {
      maxDeliveryAttempts: 10
      eventTimeToLiveInMinutes: eventTimeToLiveInMinutes
    }
  }
}]

output subscriptionCount int = length(pairs)
