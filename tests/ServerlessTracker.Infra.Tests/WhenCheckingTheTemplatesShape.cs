using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>The rules the official Flex Consumption azd templates follow (STYLE.md rule 10), kept by every template here.</summary>
public sealed class WhenCheckingTheTemplatesShape
{
    private static IEnumerable<BicepText> Templates() =>
        Directory.GetFiles(Repository.PathOf("infra"), "*.bicep", SearchOption.AllDirectories)
            .Select(file => new BicepText(Path.GetRelativePath(Repository.Root, file).Replace('\\', '/')));

    [Fact]
    public void MainBicepDeploysAtSubscriptionScope() =>
        Assert.Matches(@"^targetScope = 'subscription'$", new BicepText("infra/main.bicep").Text.Split('\n').First(line => line.StartsWith("targetScope", StringComparison.Ordinal)));

    [Fact]
    public void RoleAssignmentsAreMadeOnlyInRbacBicep()
    {
        foreach (var template in Templates())
        {
            var assigns = template.Resources.Any(r => r.Type == "Microsoft.Authorization/roleAssignments" && !r.Existing);
            Assert.True(assigns == (template.RelativePath == "infra/app/rbac.bicep"), $"{template.RelativePath}: role assignments belong in infra/app/rbac.bicep");
        }
    }

    [Fact]
    public void NamesComeOnlyFromNamesBicep()
    {
        foreach (var template in Templates().Where(t => t.RelativePath != "infra/app/names.bicep"))
        {
            Assert.DoesNotContain("uniqueString(", template.Text);
        }
    }

    [Fact]
    public void KeysAndPasswordsAreOffEverywhere()
    {
        var all = string.Join('\n', Templates().Select(t => t.Text));
        Assert.DoesNotContain("allowSharedKeyAccess: true", all);
        Assert.DoesNotContain("listKeys(", all);
        Assert.DoesNotContain("adminUserEnabled: true", all);
        foreach (var template in Templates())
        {
            foreach (var (type, _, index) in template.Resources.Where(r => !r.Existing))
            {
                var body = template.Expression(template.Text.IndexOf('=', index) + 1);
                switch (type)
                {
                    case "Microsoft.Storage/storageAccounts":
                        Assert.Contains("allowSharedKeyAccess: false", body);
                        break;
                    case "Microsoft.EventGrid/topics":
                        Assert.Contains("disableLocalAuth: true", body);
                        Assert.Contains("inputSchema: 'CloudEventSchemaV1_0'", body);
                        break;
                    case "Microsoft.Insights/components":
                        Assert.Contains("DisableLocalAuth: true", body);
                        break;
                    case "Microsoft.ContainerRegistry/registries":
                        Assert.Contains("adminUserEnabled: false", body);
                        break;
                    case "Microsoft.Web/sites" or "Microsoft.ContainerInstance/containerGroups":
                        Assert.Matches(@"identity: \{\s*type: 'UserAssigned'", body);
                        break;
                }
            }
        }
    }

    [Fact]
    public void EachRegionsHostKeepsItsTimerLockApartFromTheOthers()
    {
        // The host keeps the purge timer's lock and status under its host id (the app name's first 32 characters) in its
        // AzureWebJobsStorage: two regions sharing both would run one purge between them. Here neither is shared.
        var names = new BicepText("infra/app/names.bicep").Text;
        Assert.Contains("func regionToken(subscriptionId string, environmentName string, region string) string => toLower(uniqueString(subscriptionId, environmentName, region))", names);
        var prefix = Regex.Match(names, @"functionApp: '(?<prefix>[a-z-]*)\$\{token\}'").Groups["prefix"];
        Assert.True(prefix.Success, "names.bicep: functionApp is not '<prefix>${token}'");
        Assert.InRange(prefix.Value.Length + 13, 1, 32); // uniqueString gives 13 characters
        Assert.Matches(@"storage: 'st\$\{token\}'", names);
        var region = new BicepText("infra/app/region.bicep").Text;
        Assert.Contains("storageAccountName: storage.outputs.name", region);
        Assert.Contains("name: names.storage", region);
        Assert.Contains("AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob", new BicepText("infra/app/api.bicep").Text);
    }

    [Fact]
    public void OnlyThePrimaryAppCarriesTheAzdServiceTag()
    {
        var main = new BicepText("infra/main.bicep").Text;
        Assert.Contains("serviceName: i == 0 ? 'api' : ''", main);
        Assert.Matches(@"'azd-service-name': serviceName", new BicepText("infra/app/api.bicep").Text);
        Assert.Single(Regex.Matches(string.Join('\n', Templates().Select(t => t.Text)), "'azd-service-name'"));
    }
}
