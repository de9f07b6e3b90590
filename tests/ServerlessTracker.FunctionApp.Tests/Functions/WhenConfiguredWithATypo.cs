using ServerlessTracker.FunctionApp.Tests.Host;
using ServerlessTracker.FunctionApp.Tests.Support;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>An app setting the tracker does not read (a typo in the portal or the Bicep) stops the worker at start, with the
/// key and the closest known one in its output, instead of serving with a default.</summary>
public sealed class WhenConfiguredWithATypo
{
    [Fact]
    public async Task TheWorkerStopsAtStartNamingTheKey()
    {
        var failure = await Assert.ThrowsAsync<FunctionsHostEmulatorException>(async () =>
        {
            await using var app = await FunctionAppUnderTest.StartAsync(new Dictionary<string, string?> { ["Tracker:Swarm:IntervalSecond"] = "100" });
        });
        Assert.Contains("'Tracker:Swarm:IntervalSecond' (did you mean 'Tracker:Swarm:IntervalSeconds'?)", failure.ToString());
    }
}
