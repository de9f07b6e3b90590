using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>The settings the Bicep gives the function app and the relay against what the code reads (AzureAppSettings).</summary>
public sealed class WhenComparingAppSettingsWithTheCode
{
    // Flex Consumption refuses or ignores these: the runtime and the package live in functionAppConfig, timers run in UTC.
    // (AzureWebJobsStorage as a connection string would need the shared keys that are off: the host uses __credential.)
    private static readonly string[] RejectedOnFlex =
    [
        "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "FUNCTIONS_WORKER_RUNTIME_VERSION",
        "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
        "WEBSITE_NODE_DEFAULT_VERSION", "SCM_DO_BUILD_DURING_DEPLOYMENT", "ENABLE_ORYX_BUILD", "AzureWebJobsStorage",
        "WEBSITE_TIME_ZONE",
    ];

    private const string LocalSettingsExample = "functions/ServerlessTracker.FunctionApp/local.settings.example.json";

    private readonly BicepText _api = new("infra/app/api.bicep");
    private readonly BicepText _relay = new("infra/app/relay.bicep");

    private IReadOnlyList<string> HostSettings => BicepText.SettingNames(_api.Variable("hostSettings"));

    private IReadOnlyList<string> TrackerSettings => BicepText.SettingNames(_api.Variable("trackerSettings"));

    private IReadOnlyList<string> ConditionalSettings =>
        [.. BicepText.SettingNames(_api.Variable("frontDoorSettings")), .. BicepText.SettingNames(_api.Variable("trustedProxySettings"))];

    [Fact]
    public void EverySettingTheCodeRequiresIsSetInEveryRegion()
    {
        var missing = AzureAppSettings.Required.Except(TrackerSettings).ToList();
        Assert.True(missing.Count == 0, "api.bicep trackerSettings lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryTrackerSettingTheBicepSetsIsOneTheCodeReads()
    {
        var known = AzureAppSettings.Required.Concat(AzureAppSettings.Optional).ToHashSet();
        var unknown = TrackerSettings.Concat(ConditionalSettings).Where(name => !known.Contains(name)).ToList();
        Assert.True(unknown.Count == 0, "api.bicep sets settings AzureAppSettings does not name (typo, or add them there): " + string.Join(", ", unknown));
        Assert.Contains("Tracker__Network__TrustedProxies__{n}", ConditionalSettings);
    }

    [Fact]
    public void TheAppSettingsResourceMergesExactlyTheseLists()
    {
        Assert.Matches(@"properties: union\(hostSettings, trackerSettings, frontDoorSettings, trustedProxySettings\)", _api.Text);
        Assert.Single(Regex.Matches(_api.Text, @"name: 'appsettings'"));
        Assert.DoesNotMatch(@"siteConfig: \{[^}]*appSettings", _api.Text);
    }

    [Fact]
    public void NoSecretIsSetInAzure()
    {
        foreach (var bicep in new[] { _api, _relay })
        {
            foreach (var secret in AzureAppSettings.NotInAzure)
            {
                Assert.DoesNotContain(secret, bicep.Text);
            }
        }
    }

    [Fact]
    public void TheHostReachesItsStorageAndTelemetryThroughTheIdentity()
    {
        Assert.Equal(
            ["AzureWebJobsStorage__blobServiceUri", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__credential"],
            HostSettings.Order(StringComparer.Ordinal));
        // Shared with the tracker's exporter, so it lives in the tracker's list.
        Assert.Contains("APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'", _api.Text);
        Assert.Contains("AzureWebJobsStorage__credential: 'managedidentity'", _api.Text);
    }

    [Fact]
    public void NoSettingIsOneFlexConsumptionRejects()
    {
        var all = HostSettings.Concat(TrackerSettings).Concat(ConditionalSettings).ToHashSet();
        Assert.Empty(all.Intersect(RejectedOnFlex));
    }

    [Fact]
    public void TheAppRunsOnTheDotnetIsolatedRuntimeOfFlexConsumption()
    {
        Assert.Matches(@"runtime: \{\s*name: 'dotnet-isolated'\s*version: '10\.0'\s*\}", _api.Text);
        Assert.Matches(@"tier: 'FlexConsumption'\s*name: 'FC1'", _api.Text);
        Assert.Matches(@"authentication: \{\s*type: 'UserAssignedIdentity'", _api.Text);
    }

    [Fact]
    public void ThePurgeTimerGetsItsScheduleInEveryRegion()
    {
        // [TimerTrigger("%PurgeSchedule%")] fails to load without the setting: it is required, and main.bicep's default
        // is the code's.
        Assert.Contains(AzureAppSettings.PurgeSchedule, AzureAppSettings.Required);
        Assert.Contains($"{AzureAppSettings.PurgeSchedule}: purgeSchedule", _api.Variable("trackerSettings"));
        Assert.Contains($"param purgeSchedule string = '{AzureAppSettings.DefaultPurgeSchedule}'", new BicepText("infra/main.bicep").Text);
        Assert.Equal(6, AzureAppSettings.DefaultPurgeSchedule.Split(' ').Length);
    }

    [Fact]
    public void TheRelayGetsTheSettingsItReadsAndNoOthers()
    {
        var environment = _relay.Expression(_relay.Text.IndexOf("environmentVariables:", StringComparison.Ordinal) + "environmentVariables:".Length);
        var names = BicepText.SettingNames(environment);
        var missing = RelaySettings.Required.Except(names).ToList();
        var unknown = names.Except(RelaySettings.Required).ToList();
        Assert.True(missing.Count == 0, "relay.bicep does not set: " + string.Join(", ", missing));
        Assert.True(unknown.Count == 0, "relay.bicep sets settings the relay does not read: " + string.Join(", ", unknown));
        // The connection-id key is a secret: only as a secure value, from a @secure() parameter.
        Assert.Matches(@"name: 'Relay__ConnectionIdKey'\s*secureValue: connectionIdKey", environment);
        Assert.Matches(@"@secure\(\)\s*(@description\('[^']*(?:\\'[^']*)*'\)\s*)?param connectionIdKey string", _relay.Text);
    }

    [Fact]
    public void TheFullScrapeIsPublishedToTheContainerTheBicepCreates()
    {
        // The app writes to FullScrapeBlobOptions.Container (its default: the Bicep sets no Container) at the account's blob endpoint.
        Assert.Contains($"param fullScrapeContainerName string = '{new FullScrapeBlobOptions().Container}'", new BicepText("infra/app/storage.bicep").Text);
        Assert.Matches(@"resource fullScrape 'containers' = \{\s*name: fullScrapeContainerName\s*properties: \{\s*publicAccess: 'None'", new BicepText("infra/app/storage.bicep").Text);
        Assert.Contains("Tracker__FullScrape__ServiceUri: storage.properties.primaryEndpoints.blob", _api.Variable("trackerSettings"));
    }

    [Fact]
    public void TheLocalSettingsExamplePointsAtAzurite()
    {
        using var json = JsonDocument.Parse(Repository.Read(LocalSettingsExample));
        var values = json.RootElement.GetProperty("Values");
        // Core Tools needs the worker runtime locally; in Azure it is functionAppConfig.runtime instead.
        Assert.Equal("dotnet-isolated", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
        Assert.Equal("UseDevelopmentStorage=true", values.GetProperty("AzureWebJobsStorage").GetString());
        Assert.Equal(AzureAppSettings.DefaultPurgeSchedule, values.GetProperty(AzureAppSettings.PurgeSchedule).GetString());
        Assert.Equal("UseDevelopmentStorage=true", values.GetProperty("Tracker__Tables__ConnectionString").GetString());
        // The published full scrape on Azurite's Blob service, as it is on the account's in Azure.
        Assert.Equal("UseDevelopmentStorage=true", values.GetProperty("Tracker__FullScrape__ConnectionString").GetString());
        var known = AzureAppSettings.Required.Concat(AzureAppSettings.Optional).Concat(AzureAppSettings.NotInAzure).ToHashSet();
        foreach (var setting in values.EnumerateObject().Where(p => p.Name.StartsWith("Tracker__", StringComparison.Ordinal)))
        {
            Assert.Contains(setting.Name, known);
        }
    }

    [Fact]
    public void SettingNamesAreBuiltFromConfigurationKeys()
    {
        Assert.Equal("Tracker__Network__ClientIpHeader", AzureAppSettings.EnvironmentName("Tracker:Network", "ClientIpHeader"));
        Assert.All(AzureAppSettings.Required.Concat(AzureAppSettings.Optional), name => Assert.DoesNotContain(':', name));
    }
}
