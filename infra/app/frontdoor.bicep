// Optional (frontDoorEnabled): the Azure Front Door profile and its endpoint. Created before the regions
// because each function app admits only requests carrying this profile's id (X-Azure-FDID) and prints
// announce URLs on the endpoint's host name (Tracker__Admin__PublicUrl); the origins and the route come
// after the apps, in frontdoor-origins.bicep.

param name string
param endpointName string
param tags object

resource profile 'Microsoft.Cdn/profiles@2024-02-01' = {
  name: name
  location: 'global'
  tags: tags
  sku: {
    name: 'Standard_AzureFrontDoor'
  }
  properties: {
    originResponseTimeoutSeconds: 30
  }
}

resource endpoint 'Microsoft.Cdn/profiles/afdEndpoints@2024-02-01' = {
  parent: profile
  name: endpointName
  location: 'global'
  tags: tags
  properties: {
    enabledState: 'Enabled'
  }
}

output name string = profile.name
output frontDoorId string = profile.properties.frontDoorId
output endpointName string = endpoint.name
output endpointHostName string = endpoint.properties.hostName
