using System.Diagnostics;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Storage;

/// <summary>The app on Table Storage through an outage: Azurite stopped mid-run, then started again on its port.</summary>
public sealed class WhenTableStorageFails : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task AnnouncesAndScrapesGetAFailureWithRetryInThenSucceedWithoutARestart()
    {
        var settings = _azurite.TrackerTables(failFast: true);
        settings["Tracker:Tables:RetryInSeconds"] = "90";
        await using var tracker = await RunningTracker.StartAsync(settings, ipv6: false);
        var hash = Hash(90);
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001))).Failure());

        await _azurite.StopAsync();
        var refused = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002));
        Assert.NotNull(refused.Failure());
        Assert.Equal(2, refused["retry in"]!.Integer); // BEP 31: minutes, rounded up
        Assert.Equal(90, refused["interval"]!.Integer);
        Assert.Null(refused["peers"]);

        // Scrape: a swarm read before the outage is served from the cache; one never read is refused, not reported empty.
        var cached = await tracker.Client.GetBencodeAsync(ScrapeUrl(hash));
        Assert.Null(cached.Failure());
        Assert.NotNull(cached["files"]);
        var unknown = await tracker.Client.GetBencodeAsync(ScrapeUrl(hash, Hash(91)));
        Assert.NotNull(unknown.Failure());
        Assert.Equal(1, unknown["retry in"]!.Integer); // Tracker:Http:RetryInSeconds, 60 s by default
        Assert.Null(unknown["files"]);

        await _azurite.StartAgainAsync();
        var clock = Stopwatch.StartNew();
        string? failure;
        do
        {
            await Task.Delay(200);
            failure = (await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 3, port: 7003))).Failure();
        }
        while (failure is not null && clock.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Null(failure);
    }
}
