// Optional (frontDoorEnabled): one HTTPS hostname over every region. Front Door sends each client to the
// nearest healthy region's function app; the apps are reached over HTTPS with their own host header.
// No caching: every announce must reach a tracker. Plain http:// is accepted and not redirected, since
// many BitTorrent clients announce over HTTP and do not follow redirects, unless httpsOnly (always in
// private mode): then the route takes HTTPS alone and plain HTTP is never forwarded. A redirect would come
// too late there, after the passkey in the URL has crossed the network in clear.

param profileName string
param endpointName string

@description('Route HTTPS only (httpsOnly or private mode): plain http:// requests are not forwarded to the trackers.')
param httpsOnly bool

@description('Default host names of the regions\' function apps.')
param originHostNames array

resource profile 'Microsoft.Cdn/profiles@2024-02-01' existing = {
  name: profileName
}

// Made with the profile (frontdoor.bicep), so the apps know its host name before they exist.
resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' existing = {
  parent: profile
  name: endpointName
}

resource originGroup 'Microsoft.Cdn/profiles/originGroups@2024-02-01' = {
  parent: profile
  name: 'trackers'
  properties: {
    loadBalancingSettings: {
      sampleSize: 4
      successfulSamplesRequired: 3
      additionalLatencyInMilliseconds: 50
    }
    // The app's readiness route (routePrefix is "" in host.json): 200 while its Table store answers, 503 when it does not,
    // so Front Door sends clients to another region instead of to one that can only answer "retry in". HEAD: no body to send.
    // The app shares one store request a second among probes, however many Front Door's edges send.
    healthProbeSettings: {
      probePath: '/health/ready'
      probeRequestType: 'HEAD'
      probeProtocol: 'Https'
      probeIntervalInSeconds: 60
    }
    sessionAffinityState: 'Disabled'
  }
}

resource origins 'Microsoft.Cdn/profiles/originGroups/origins@2024-02-01' = [for (host, i) in originHostNames: {
  parent: originGroup
  name: 'region-${i}'
  properties: {
    hostName: host
    originHostHeader: host
    httpPort: 80
    httpsPort: 443
    priority: 1
    weight: 1000
    enabledState: 'Enabled'
    enforceCertificateNameCheck: true
  }
}]

// Request rules on the tracker route. The Functions host tags each request it forwards to the worker with
// x-ms-invocation-id, added with TryAdd: a value the client sent would win, and the worker would wait ~20 s
// for an invocation that never comes, holding an instance slot. Front Door drops the client's header.
resource requestRules 'Microsoft.Cdn/profiles/ruleSets@2024-02-01' = {
  parent: profile
  name: 'trackerrequest'
}

// No match condition: the rule applies to every request on the route.
resource dropInvocationId 'Microsoft.Cdn/profiles/ruleSets/rules@2024-02-01' = {
  parent: requestRules
  name: 'dropinvocationid'
  properties: {
    order: 1
    conditions: []
    actions: [
      {
        name: 'ModifyRequestHeader'
        parameters: {
          typeName: 'DeliveryRuleHeaderActionParameters'
          headerAction: 'Delete'
          headerName: 'x-ms-invocation-id'
        }
      }
    ]
    matchProcessingBehavior: 'Continue'
  }
}

resource route 'Microsoft.Cdn/profiles/afdEndpoints/routes@2024-02-01' = {
  parent: endpoint
  name: 'tracker'
  properties: {
    originGroup: {
      id: originGroup.id
    }
    supportedProtocols: httpsOnly ? [
      'Https'
    ] : [
      'Http'
      'Https'
    ]
    ruleSets: [
      {
        id: requestRules.id
      }
    ]
    patternsToMatch: [
      '/*'
    ]
    forwardingProtocol: 'HttpsOnly'
    httpsRedirect: 'Disabled'
    linkToDefaultDomain: 'Enabled'
    enabledState: 'Enabled'
  }
  // A route can be saved only once its origin group has origins; its rule set is used as soon as it is linked.
  dependsOn: [
    origins
    dropInvocationId
  ]
}

output hostName string = endpoint.properties.hostName
