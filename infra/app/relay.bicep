// The UDP relay (BEP 15) in every region, on Azure Container Instances: Container Apps has no UDP
// ingress. Deployed by tools/hooks/deploy-relay.sh after `az acr build` has pushed the image, not by
// `azd provision` (the image must exist before a container group can start). Resources of the region
// (the relay's own identity, storage, topic, telemetry) are found by the names in names.bicep. The relay
// runs as its own identity (Table Data Contributor, EventGrid Data Sender, AcrPull: rbac.bicep), never as
// the function app's, which also owns the host storage's blobs.
//
// Environment: ONE list, `relaySettings` below, holds what the relay reads; the infra tests compare it
// with the relay's settings contract (see tests/ServerlessTracker.Infra.Tests).

import { regionToken, regionNames, environmentToken, environmentNames } from 'names.bicep'

@description('Name of the azd environment (AZURE_ENV_NAME).')
param environmentName string

@description('Regions running a tracker, primary first (TRACKER_REGION_NAMES).')
param regions array

@description('Relay image, for example crxxxx.azurecr.io/tracker-relay:20250101120000.')
param image string

@secure()
@description('Base64 key (32 random bytes) for BEP 15 connection ids, the same in every region so an id from one relay is honoured by the others.')
param connectionIdKey string

@description('Private mode: announces need a passkey (BEP 41 URL data over UDP).')
param privateMode bool = false

@description('UDP port the relay listens on and the container group exposes.')
param port int = 6969

@description('TCP port of the relay\'s HTTP health endpoints (/health, /health/ready), public beside the UDP port so Traffic Manager can probe it; 0 leaves them off.')
param healthPort int = 8080

@description('vCPUs per relay container.')
param cpu int = 1

@description('Memory per relay container, in GB.')
param memoryInGB int = 1

var registryName = environmentNames(environmentName, environmentToken(subscription().id, environmentName)).registry
var regionConfigs = [for r in regions: {
  region: r
  names: regionNames(regionToken(subscription().id, environmentName, r))
}]

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' existing = {
  name: registryName
}

resource identities 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' existing = [for config in regionConfigs: {
  name: config.names.relayIdentity
}]

resource storages 'Microsoft.Storage/storageAccounts@2023-05-01' existing = [for config in regionConfigs: {
  name: config.names.storage
}]

resource topics 'Microsoft.EventGrid/topics@2025-02-15' existing = [for config in regionConfigs: {
  name: config.names.topic
}]

resource insights 'Microsoft.Insights/components@2020-02-02' existing = [for config in regionConfigs: {
  name: config.names.appInsights
}]

resource relays 'Microsoft.ContainerInstance/containerGroups@2023-05-01' = [for (config, i) in regionConfigs: {
  name: config.names.relay
  location: config.region
  tags: {
    'azd-env-name': environmentName
    'tracker-region': config.region
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identities[i].id}': {}
    }
  }
  properties: {
    osType: 'Linux'
    restartPolicy: 'Always'
    sku: 'Standard'
    imageRegistryCredentials: [
      {
        server: registry.properties.loginServer
        identity: identities[i].id
      }
    ]
    ipAddress: {
      type: 'Public'
      dnsNameLabel: config.names.relayDnsLabel
      ports: concat([
        {
          port: port
          protocol: 'UDP'
        }
      ], healthPort > 0 ? [
        {
          port: healthPort
          protocol: 'TCP'
        }
      ] : [])
    }
    containers: [
      {
        name: 'relay'
        properties: {
          image: image
          ports: concat([
            {
              port: port
              protocol: 'UDP'
            }
          ], healthPort > 0 ? [
            {
              port: healthPort
              protocol: 'TCP'
            }
          ] : [])
          // Liveness only: a store outage is not the container's fault, and a restart would not mend it (ACI sends no
          // traffic by readiness anyway). /health/ready is for Traffic Manager (docs/operator-guide.md).
          livenessProbe: healthPort > 0 ? {
            httpGet: {
              path: '/health'
              port: healthPort
              scheme: 'http'
            }
            initialDelaySeconds: 10
            periodSeconds: 30
            timeoutSeconds: 5
            failureThreshold: 3
          } : null
          resources: {
            requests: {
              cpu: cpu
              memoryInGB: memoryInGB
            }
          }
          environmentVariables: concat(
            map(items({
              // What the relay reads: the same store, region, sync topic and identity as the region's function app.
              Relay__Port: string(port)
              Relay__Health__Port: string(healthPort)
              AZURE_CLIENT_ID: identities[i].properties.clientId
              Tracker__Region: config.region
              Tracker__Tables__ServiceUri: 'https://${storages[i].name}.table.${environment().suffixes.storage}'
              Tracker__Tables__ManagedIdentityClientId: identities[i].properties.clientId
              Tracker__Sync__TopicEndpoint: topics[i].properties.endpoint
              Tracker__Private__Enabled: privateMode ? 'true' : 'false'
              APPLICATIONINSIGHTS_CONNECTION_STRING: insights[i].properties.ConnectionString
            }), setting => {
              name: setting.key
              value: setting.value
            }),
            [
              {
                // secureValue: not returned by the container group's API or shown in the portal.
                name: 'Relay__ConnectionIdKey'
                secureValue: connectionIdKey
              }
            ]
          )
        }
      }
    ]
  }
}]

output relayHostNames array = [for (config, i) in regionConfigs: relays[i].properties.ipAddress.fqdn]
