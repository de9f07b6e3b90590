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
    public void OnlyThePrimaryAppCarriesTheAzdServiceTag()
    {
        var main = new BicepText("infra/main.bicep").Text;
        Assert.Contains("serviceName: i == 0 ? 'api' : ''", main);
        Assert.Matches(@"'azd-service-name': serviceName", new BicepText("infra/app/api.bicep").Text);
        Assert.Single(Regex.Matches(string.Join('\n', Templates().Select(t => t.Text)), "'azd-service-name'"));
    }
}
