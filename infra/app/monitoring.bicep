// A region's Log Analytics workspace and the Application Insights component on it. Local
// (instrumentation-key) auth is off: the Functions host and the app send telemetry with the
// identity, which holds Monitoring Metrics Publisher (rbac.bicep).

param logAnalyticsName string
param appInsightsName string
param location string
param tags object

@description('Days logs are kept.')
param retentionInDays int = 30

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    retentionInDays: retentionInDays
    sku: {
      name: 'PerGB2018'
    }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

output appInsightsName string = appInsights.name
