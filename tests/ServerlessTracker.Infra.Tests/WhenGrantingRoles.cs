using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Each identity holds exactly the roles its code uses: the function app's, and the UDP relay's own (tables, topic,
/// image pull), never the app's identity with its Blob Data Owner on the host storage.</summary>
/// <remarks>Read from the ARM JSON the Bicep CLI compiles from infra/app/rbac.bicep.</remarks>
public sealed partial class WhenGrantingRoles
{
    [Fact]
    public async Task TheRelaysIdentityHoldsTablesTopicAndImagePullOnly()
    {
        var roles = await RolesByPrincipalAsync();
        Assert.Equal(["acrPull", "eventGridDataSender", "storageTableDataContributor"], roles["relayIdentityPrincipalId"]);
    }

    [Fact]
    public async Task TheAppsIdentityNoLongerPullsImages()
    {
        var roles = await RolesByPrincipalAsync();
        Assert.Equal(["eventGridDataSender", "monitoringMetricsPublisher", "storageBlobDataOwner", "storageTableDataContributor"], roles["identityPrincipalId"]);
    }

    [Fact]
    public void TheRelayRunsAndPullsAsItsOwnIdentity()
    {
        Assert.Matches(@"relayIdentity: 'id-relay-\$\{token\}'", new BicepText("infra/app/names.bicep").Text);
        var region = new BicepText("infra/app/region.bicep").Text;
        Assert.Matches(@"resource relayIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@[^']+' = \{\s*name: names.relayIdentity", region);
        Assert.Contains("relayIdentityPrincipalId: relayIdentity.properties.principalId", region);
        var relay = new BicepText("infra/app/relay.bicep").Text;
        Assert.Matches(@"resource identities 'Microsoft.ManagedIdentity/userAssignedIdentities@[^']+' existing = \[for config in regionConfigs: \{\s*name: config.names.relayIdentity", relay);
        Assert.DoesNotContain("config.names.identity", relay);
        Assert.Matches(@"imageRegistryCredentials: \[\s*\{\s*server: registry.properties.loginServer\s*identity: identities\[i\].id", relay);
        Assert.Contains("AZURE_CLIENT_ID: identities[i].properties.clientId", relay);
    }

    /// <summary>For each principal parameter of rbac.bicep, the names of the roles (its <c>roles</c> variable) assigned to it.</summary>
    private static async Task<Dictionary<string, List<string>>> RolesByPrincipalAsync()
    {
        using var template = await BicepCli.BuildAsync("infra/app/rbac.bicep");
        var byPrincipal = new Dictionary<string, List<string>>();
        foreach (var resource in BicepCli.Resources(template).Where(r => r.GetProperty("type").GetString() == "Microsoft.Authorization/roleAssignments"))
        {
            var properties = resource.GetProperty("properties");
            var principal = ParameterName().Match(properties.GetProperty("principalId").GetString()!).Groups[1].Value;
            var role = RoleName().Match(properties.GetProperty("roleDefinitionId").GetString()!).Groups[1].Value;
            if (!byPrincipal.TryGetValue(principal, out var list))
            {
                byPrincipal[principal] = list = [];
            }

            list.Add(role);
        }

        foreach (var list in byPrincipal.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }

        return byPrincipal;
    }

    [GeneratedRegex(@"parameters\('(\w+)'\)")]
    private static partial Regex ParameterName();

    [GeneratedRegex(@"variables\('roles'\)\.(\w+)")]
    private static partial Regex RoleName();
}
