// The environment's container registry, holding the UDP relay image (built by `az acr build` in
// tools/hooks/deploy-relay.sh). No admin user and no anonymous pull: each region's identity pulls
// with AcrPull (rbac.bicep).

param name string
param location string
param tags object

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Basic'
  }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
