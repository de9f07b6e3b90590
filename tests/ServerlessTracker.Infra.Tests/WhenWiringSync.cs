using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Cross-region sync: Event Grid WebHook subscriptions to a function the package really has, authorized by a
/// function key that never shows.</summary>
public sealed partial class WhenWiringSync
{
    private const string Hook = "tools/hooks/sync-subscriptions.sh";
    private const string FunctionAppSources = "functions/ServerlessTracker.FunctionApp";

    private readonly BicepText _subscriptions = new("infra/app/sync-subscriptions.bicep");

    private string SyncRoute => Regex.Match(_subscriptions.Text, @"^var syncRoute = '(?<route>[\w/]+)'$", RegexOptions.Multiline).Groups["route"].Value;

    private static string HookFunction => Regex.Match(Repository.Read(Hook), @"^sync_function=""(?<name>[\w-]+)""$", RegexOptions.Multiline).Groups["name"].Value;

    [Fact]
    public void SubscriptionsDeliverCloudEventBatchesToTheWebhookWithTheKey()
    {
        Assert.Equal("sync/events", SyncRoute);
        Assert.Contains("endpointType: 'WebHook'", _subscriptions.Text);
        Assert.Contains("endpointUrl: 'https://${apps[pair.toIndex].properties.defaultHostName}/${syncRoute}?code=${uriComponent(syncKeys[pair.to])}'", _subscriptions.Text);
        Assert.Contains("eventDeliverySchema: 'CloudEventSchemaV1_0'", _subscriptions.Text);
        Assert.Contains("maxEventsPerBatch: 50", _subscriptions.Text);
        Assert.Contains("preferredBatchSizeInKilobytes: 64", _subscriptions.Text);
        Assert.Matches(@"retryPolicy: \{\s*maxDeliveryAttempts: \d+\s*eventTimeToLiveInMinutes: eventTimeToLiveInMinutes", _subscriptions.Text);
        Assert.DoesNotContain("'AzureFunction'", _subscriptions.Text);
        Assert.Contains("inputSchema: 'CloudEventSchemaV1_0'", new BicepText("infra/app/eventgrid.bicep").Text);
    }

    [Fact]
    public void TheKeysArriveAsASecureParameterNeverFromListKeys()
    {
        Assert.Matches(@"@secure\(\)\s*(@description\('[^']*(?:\\'[^']*)*'\)\s*)?param syncKeys object", _subscriptions.Text);
        Assert.DoesNotContain("listKeys(", _subscriptions.Text);
        Assert.DoesNotMatch(@"(?m)^output .*syncKeys", _subscriptions.Text);
    }

    [Fact]
    public void TheHookWaitsForTheFunctionItTakesTheKeyOf()
    {
        var script = Repository.Read(Hook);
        Assert.Equal("syncevents", HookFunction);
        Assert.Contains("az functionapp function show", script);
        Assert.Contains("--function-name \"$sync_function\"", script);
        Assert.Contains("az functionapp function keys list", script);
        Assert.Contains("az functionapp function keys set", script);
    }

    [Fact]
    public void TheHookNeverPutsAKeyOnACommandLineOrInTheLog()
    {
        var script = Repository.Read(Hook);
        Assert.DoesNotContain("--key-value", script);
        Assert.DoesNotContain("set -x", script);
        // The keys reach the deployment in a parameters file only this user may read, removed on exit.
        Assert.Contains("params=\"$(umask 077 && mktemp)\"", script);
        Assert.Contains("--parameters \"@$params\"", script);
        Assert.Matches(@"trap 'rm -f ""\$params""", script);
        Assert.DoesNotMatch(@"(?m)^\s*(log|echo|die)\b.*\$\{?(key|keys_json)\b(?!_)", script);
        // Deployment errors may quote the endpoint URL: shown only with ?code= blanked out.
        Assert.Contains("<redacted>", script);
    }

    [Fact]
    public void TheRedactionBlanksEncodedAndPlainKeys()
    {
        var sed = Regex.Match(Repository.Read(Hook), @"sed -E 's/(?<pattern>[^/]*(?:\\/[^/]*)*)/(?<replacement>[^/]*)/g'");
        Assert.True(sed.Success, "no sed redaction in the hook");
        var pattern = new Regex(sed.Groups["pattern"].Value.Replace(@"\/", "/", StringComparison.Ordinal));
        foreach (var key in new[] { "Abc+def/ghi==", "Abc%2Bdef%2Fghi%3D%3D", "Gen_key-123" })
        {
            var message = $"handshake failed for https://func-x.azurewebsites.net/sync/events?code={key}. Http OPTIONS";
            var redacted = pattern.Replace(message, "$1<redacted>");
            Assert.DoesNotContain(key, redacted, StringComparison.Ordinal);
            Assert.EndsWith("?code=<redacted>. Http OPTIONS", redacted, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheAppHasTheFunctionAtThatRoute()
    {
        // The function app declares its functions in C# ([Function] classes): its sources must name the function and the route.
        var sources = Directory.GetFiles(Repository.PathOf(FunctionAppSources), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        var code = string.Join('\n', sources.Select(File.ReadAllText));
        Assert.Contains($"[Function(\"{HookFunction}\")]", code);
        Assert.Contains($"Route = \"{SyncRoute}\"", code);
    }

    [Fact]
    public void NoRegionSubscribesToItself() =>
        Assert.Contains("filter(range(0, count), j => j != i)", _subscriptions.Text);
}
