namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The relay refuses to start on a key nothing reads, under Relay: as under Tracker:.</summary>
public sealed class WhenConfiguredWithATypo
{
    [Theory]
    [InlineData("Relay:Prot", "Relay:Port")]
    [InlineData("Relay:RateLimit:PacketPerSecond", "Relay:RateLimit:PacketsPerSecond")]
    [InlineData("Tracker:Privat:Enabled", "Tracker:Private:Enabled")]
    public async Task TheStartFailsNamingTheKeyAndTheClosestKnownOne(string typo, string meant)
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?> { [typo] = "1" });
        });
        Assert.Contains($"'{typo}' (did you mean '{meant}'?)", failure.Message);
    }
}
