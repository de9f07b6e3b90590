using System.Diagnostics;
using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

/// <summary>An outage of the Table service: Azurite of its own, stopped and started again on the same port.</summary>
public sealed class WhenStorageFails : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task AnnouncesAreRefusedQuicklyWithARetryHintAndSucceedOnceStorageIsBack()
    {
        var options = Tables.New(_azurite, o =>
        {
            o.CacheStalenessMilliseconds = 0;
            o.MaxRetries = 2;
            o.RetryDelayMilliseconds = 50;
            o.RequestTimeoutMilliseconds = 1000;
            o.RetryBudgetMilliseconds = 2000;
            o.BreakSeconds = 1;
            o.RetryInSeconds = 120;
        });
        var hash = Peers.Hash(70);
        using var store = Tables.Store(options, TimeProvider.System);
        Assert.Equal(AnnounceStatus.Ok, (await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started))).Status);

        await _azurite.StopAsync();
        var clock = Stopwatch.StartNew();
        var refused = await Task.WhenAll(Enumerable.Range(2, 20).Select(n => store.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started))));
        var elapsed = clock.Elapsed;
        var scrape = await store.ScrapeAsync(hash);
        var counts = new SwarmCounts[2];
        var neverRead = await store.ScrapeAsync(new[] { hash, Peers.Hash(71) }, counts, CancellationToken.None);

        Assert.All(refused, r =>
        {
            Assert.Equal(AnnounceStatus.StoreUnavailable, r.Status);
            Assert.Equal(120, r.RetryInSeconds);
            Assert.Equal(0, r.PeerCount);
        });
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"refusals took {elapsed}");
        Assert.Equal(1, scrape.Peers);
        // A swarm this instance never read has no count to serve: the scrape is refused, not answered with zeros.
        Assert.Equal(Engine.Stores.ScrapeStatus.StoreUnavailable, neverRead);

        await _azurite.StartAgainAsync();
        var deadline = Stopwatch.StartNew();
        AnnounceResult result;
        do
        {
            await Task.Delay(200);
            result = await store.AnnounceAsync(Peers.Command(hash, 50, PeerEvent.Started));
        }
        while (result.Status != AnnounceStatus.Ok && deadline.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Equal(AnnounceStatus.Ok, result.Status);
        Assert.Equal(AnnounceStatus.Ok, (await store.AnnounceAsync(Peers.Command(hash, 51, PeerEvent.Started))).Status);
        Assert.Equal(Engine.Stores.ScrapeStatus.Ok, await store.ScrapeAsync(new[] { hash, Peers.Hash(71) }, counts, CancellationToken.None));
        Assert.Equal(await store.ScrapeAsync(hash), counts[0]);
        Assert.True(counts[0].Peers >= 2, $"{counts[0]}");
        Assert.Equal(default, counts[1]);
        Assert.True(store.Metrics.Snapshot().Unavailable >= 20);
    }
}
