using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Cross-region sync: the event subscriptions reach a function the package really has.</summary>
public sealed class WhenWiringSync
{
    private readonly BicepText _subscriptions = new("infra/app/sync-subscriptions.bicep");

    private string SyncFunction => Regex.Match(_subscriptions.Text, @"^var syncFunctionName = '(?<name>\w+)'$", RegexOptions.Multiline).Groups["name"].Value;

    [Fact]
    public void SubscriptionsDeliverToAFunctionFolderWithAnEventGridTrigger()
    {
        Assert.NotEmpty(SyncFunction);
        Assert.Contains("resourceId('Microsoft.Web/sites/functions', regionNames(regionToken(subscription().id, environmentName, pair.to)).functionApp, syncFunctionName)", _subscriptions.Text);
        using var function = JsonDocument.Parse(Repository.Read($"functions/ServerlessTracker.Server/{SyncFunction}/function.json"));
        var trigger = Assert.Single(function.RootElement.GetProperty("bindings").EnumerateArray());
        Assert.Equal("eventGridTrigger", trigger.GetProperty("type").GetString());
        Assert.Equal("in", trigger.GetProperty("direction").GetString());
    }

    [Fact]
    public void TheHookWaitsForTheSameFunction() =>
        Assert.Contains($"sync_function=\"{SyncFunction}\"", Repository.Read("tools/hooks/sync-subscriptions.sh"));

    [Fact]
    public void EventsAreCloudEventsOneAtATime()
    {
        Assert.Contains("eventDeliverySchema: 'CloudEventSchemaV1_0'", _subscriptions.Text);
        Assert.Contains("endpointType: 'AzureFunction'", _subscriptions.Text);
        Assert.Contains("maxEventsPerBatch: 1", _subscriptions.Text);
        Assert.Contains("inputSchema: 'CloudEventSchemaV1_0'", new BicepText("infra/app/eventgrid.bicep").Text);
    }

    [Fact]
    public void NoRegionSubscribesToItself() =>
        Assert.Contains("filter(range(0, count), j => j != i)", _subscriptions.Text);
}
