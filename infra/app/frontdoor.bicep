// Optional (frontDoorEnabled): the Azure Front Door profile. Created before the regions because each
// function app admits only requests carrying this profile's id (X-Azure-FDID); the endpoint, origins and
// route come after the apps, in frontdoor-origins.bicep.

param name string
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

output name string = profile.name
output frontDoorId string = profile.properties.frontDoorId
