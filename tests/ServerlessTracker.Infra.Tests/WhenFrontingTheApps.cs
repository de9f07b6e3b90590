using System.Text.Json;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Azure Front Door before the apps (frontDoorEnabled): what it lets through to the Functions host.</summary>
/// <remarks>Read from the ARM JSON the Bicep CLI compiles, so a property the API does not know cannot pass.</remarks>
public sealed class WhenFrontingTheApps
{
    private const string Origins = "infra/app/frontdoor-origins.bicep";

    [Fact]
    public async Task TheTrackerRouteDeletesAClientSentInvocationIdFromEveryRequest()
    {
        // The host adds x-ms-invocation-id with TryAdd: a client's own value would win and stall the worker.
        using var template = await BicepCli.BuildAsync(Origins);
        var resources = BicepCli.Resources(template).ToList();
        var rule = Assert.Single(resources, r => Type(r) == "Microsoft.Cdn/profiles/ruleSets/rules").GetProperty("properties");
        Assert.Equal(0, rule.GetProperty("conditions").GetArrayLength());
        var action = Assert.Single(rule.GetProperty("actions").EnumerateArray());
        Assert.Equal("ModifyRequestHeader", action.GetProperty("name").GetString());
        var parameters = action.GetProperty("parameters");
        Assert.Equal("DeliveryRuleHeaderActionParameters", parameters.GetProperty("typeName").GetString());
        Assert.Equal("Delete", parameters.GetProperty("headerAction").GetString());
        Assert.Equal("x-ms-invocation-id", parameters.GetProperty("headerName").GetString());

        var route = Assert.Single(resources, r => Type(r) == "Microsoft.Cdn/profiles/afdEndpoints/routes");
        var ruleSet = Assert.Single(route.GetProperty("properties").GetProperty("ruleSets").EnumerateArray());
        Assert.Contains("Microsoft.Cdn/profiles/ruleSets", ruleSet.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Contains(route.GetProperty("dependsOn").EnumerateArray(), d => d.GetString()!.Contains("ruleSets/rules", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheOriginProbeAsksTheAppsReadinessRoute()
    {
        // The function app's health-ready route (HealthFunctions), with host.json's empty route prefix.
        using var template = await BicepCli.BuildAsync(Origins);
        var group = Assert.Single(BicepCli.Resources(template), r => Type(r) == "Microsoft.Cdn/profiles/originGroups").GetProperty("properties");
        var probe = group.GetProperty("healthProbeSettings");
        Assert.Equal("/health/ready", probe.GetProperty("probePath").GetString());
        Assert.Equal("HEAD", probe.GetProperty("probeRequestType").GetString());
        Assert.Equal("Https", probe.GetProperty("probeProtocol").GetString());
        using var host = JsonDocument.Parse(Repository.Read("host.json"));
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public async Task EveryRelayOpensItsHealthPortAndIsRestartedWhenItStopsAnswering()
    {
        using var template = await BicepCli.BuildAsync("infra/app/relay.bicep");
        Assert.Equal(8080, template.RootElement.GetProperty("parameters").GetProperty("healthPort").GetProperty("defaultValue").GetInt32());
        var group = Assert.Single(BicepCli.Resources(template), r => Type(r) == "Microsoft.ContainerInstance/containerGroups").GetProperty("properties");
        var container = Assert.Single(group.GetProperty("containers").EnumerateArray()).GetProperty("properties");
        var probe = container.GetProperty("livenessProbe").GetString()!;
        Assert.Contains("'path', '/health'", probe, StringComparison.Ordinal);
        Assert.Contains("'port', parameters('healthPort')", probe, StringComparison.Ordinal);
        // Public, so Traffic Manager can probe /health/ready (docs/operator-guide.md, "UDP: Traffic Manager").
        Assert.Contains("parameters('healthPort')", group.GetProperty("ipAddress").GetProperty("ports").GetString(), StringComparison.Ordinal);
        Assert.Contains("Relay__Health__Port", container.GetProperty("environmentVariables").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheRouteTakesHttpsAloneWhenHttpsOnlyAndForwardsOverHttps()
    {
        using var template = await BicepCli.BuildAsync(Origins);
        var route = Assert.Single(BicepCli.Resources(template), r => Type(r) == "Microsoft.Cdn/profiles/afdEndpoints/routes").GetProperty("properties");
        Assert.Equal("[if(parameters('httpsOnly'), createArray('Https'), createArray('Http', 'Https'))]", route.GetProperty("supportedProtocols").GetString());
        Assert.Equal("HttpsOnly", route.GetProperty("forwardingProtocol").GetString());
        Assert.Equal("Disabled", route.GetProperty("httpsRedirect").GetString());
    }

    [Fact]
    public async Task PrivateModeMakesTheAppsAndTheRouteHttpsOnly()
    {
        // Passkeys travel in announce URLs: in private mode no plain HTTP reaches a tracker, whatever httpsOnly says.
        using var template = await BicepCli.BuildAsync("infra/main.bicep");
        Assert.Equal(
            "[or(parameters('httpsOnly'), parameters('privateMode'))]",
            template.RootElement.GetProperty("variables").GetProperty("httpsOnlyInEffect").GetString());
        var modules = BicepCli.Resources(template).Where(r => Type(r) == "Microsoft.Resources/deployments").ToList();
        foreach (var name in new[] { "front-door-origins", "[format('region-{0}', variables('regionConfigs')[copyIndex()].region)]" })
        {
            var module = Assert.Single(modules, m => m.GetProperty("name").GetString() == name);
            Assert.Equal(
                "[variables('httpsOnlyInEffect')]",
                module.GetProperty("properties").GetProperty("parameters").GetProperty("httpsOnly").GetProperty("value").GetString());
        }

        Assert.Contains("httpsOnly: httpsOnly", new BicepText("infra/app/region.bicep").Text);
        Assert.Matches(@"properties: \{\s*serverFarmId: plan.id\s*httpsOnly: httpsOnly", new BicepText("infra/app/api.bicep").Text);
    }

    [Fact]
    public async Task NewPasskeysAreHandedOutInHttpsUrlsOnThePublicHostName()
    {
        // Under the host the admin call arrives as plain http from the host's proxy with the host's own Host header:
        // without PublicUrl a passkey would be printed in an http:// URL on a loopback address.
        Assert.Contains(
            "Tracker__Admin__PublicUrl: 'https://${empty(publicHostName) ? app.properties.defaultHostName : publicHostName}'",
            new BicepText("infra/app/api.bicep").Text);
        using var template = await BicepCli.BuildAsync("infra/main.bicep");
        var region = Assert.Single(BicepCli.Resources(template), r => r.GetProperty("name").GetString() == "[format('region-{0}', variables('regionConfigs')[copyIndex()].region)]");
        Assert.Equal(
            "[if(parameters('frontDoorEnabled'), createObject('value', reference('frontDoor').outputs.endpointHostName.value), createObject('value', ''))]",
            region.GetProperty("properties").GetProperty("parameters").GetProperty("publicHostName").GetString());
    }

    private static string? Type(JsonElement resource) => resource.GetProperty("type").GetString();
}
