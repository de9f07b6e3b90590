// Every resource name, in one place: main.bicep and the templates the hooks deploy (relay.bicep,
// sync-subscriptions.bicep) import these functions, so a name is computed the same way everywhere.
// A token is uniqueString over the subscription, the azd environment and (per region) the region:
// stable across deployments, unique enough that storage and DNS names do not collide.

@export()
@description('Token for one region of one environment: 13 lowercase characters.')
func regionToken(subscriptionId string, environmentName string, region string) string => toLower(uniqueString(subscriptionId, environmentName, region))

@export()
@description('Token for the environment as a whole (the shared registry, Front Door).')
func environmentToken(subscriptionId string, environmentName string) string => toLower(uniqueString(subscriptionId, environmentName))

@export()
@description('Names of one region\'s resources, from its regionToken.')
func regionNames(token string) object => {
  identity: 'id-${token}'
  relayIdentity: 'id-relay-${token}'
  storage: 'st${token}'
  deploymentContainer: 'deployment-package'
  logAnalytics: 'log-${token}'
  appInsights: 'appi-${token}'
  topic: 'evgt-${token}'
  plan: 'plan-${token}'
  functionApp: 'func-${token}'
  relay: 'ci-relay-${token}'
  relayDnsLabel: 'relay-${token}'
}

@export()
@description('Names of the environment-wide resources, from its environmentToken.')
func environmentNames(environmentName string, token string) object => {
  resourceGroup: 'rg-${environmentName}'
  registry: 'cr${token}'
  frontDoor: 'afd-${token}'
  frontDoorEndpoint: 'tracker-${token}'
}
