// Cross-region sync: an Event Grid subscription from every region's topic to every other region's
// `syncevents` webhook, https://<app>/sync/events?code=<function key> (CloudEvents 1.0). There is no
// Event Grid trigger for the isolated worker, so the receiver is an HTTP function (authLevel function):
// the Functions host checks the key before the request reaches the worker, and the function answers the
// CloudEvents abuse-protection handshake (OPTIONS) that Event Grid sends when a subscription is created or
// its URL changes. Hence deployed by tools/hooks/sync-subscriptions.sh after the code is live on every
// app: it reads (or creates) each app's function key and passes the keys here as a secure parameter.

import { regionToken, regionNames } from 'names.bicep'

@description('Name of the azd environment (AZURE_ENV_NAME).')
param environmentName string

@description('Regions running a tracker (TRACKER_REGION_NAMES).')
param regions array

@secure()
@description('Function key of each region\'s `syncevents` function, by region name: { westeurope: \'...\', ... }. Event Grid sends it as ?code= with every delivery and handshake. Never logged, not returned by the subscription\'s API (only endpointBaseUrl is).')
param syncKeys object

@description('Minutes Event Grid keeps retrying one event. A change older than about half the announce interval is soon superseded by the peer\'s next announce.')
param eventTimeToLiveInMinutes int = 30

// The receiving function's route (host.json routePrefix ""): function `syncevents` of the function app.
var syncRoute = 'sync/events'

var count = length(regions)
// Every ordered pair of distinct regions: changes published in `from` are delivered to `to`.
var pairs = flatten(map(range(0, count), i => map(filter(range(0, count), j => j != i), j => {
  from: regions[i]
  to: regions[j]
  toIndex: j
})))

resource apps 'Microsoft.Web/sites@2024-04-01' existing = [for region in regions: {
  name: regionNames(regionToken(subscription().id, environmentName, region)).functionApp
}]

resource subscriptions 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = [for pair in pairs: {
  name: '${regionNames(regionToken(subscription().id, environmentName, pair.from)).topic}/to-${pair.to}'
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${apps[pair.toIndex].properties.defaultHostName}/${syncRoute}?code=${uriComponent(syncKeys[pair.to])}'
        // Each CloudEvent already carries a batch of peer changes; a delivery may carry up to 50 of them
        // (the webhook accepts a single event and a JSON array alike).
        maxEventsPerBatch: 50
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
