using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Hosting;

/// <summary>A misspelt key would leave a default silently in force: the self-hosted server refuses to start instead.</summary>
public sealed class WhenConfiguredWithATypo
{
    [Theory]
    [InlineData("Tracker:Swarm:IntervalSecond", "Tracker:Swarm:IntervalSeconds")]
    [InlineData("Tracker:RateLimit:RequestPerSecond", "Tracker:RateLimit:RequestsPerSecond")]
    [InlineData("Tracker:Htp:FastPath", "Tracker:Http:FastPath")]
    public async Task TheStartFailsNamingTheKeyAndTheClosestKnownOne(string typo, string meant)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { [typo] = "1" }, ipv6: false);
        });
        Assert.Contains($"'{typo}' (did you mean '{meant}'?)", failure.Message);
    }
}
