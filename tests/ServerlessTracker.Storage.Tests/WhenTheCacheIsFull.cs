using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

/// <summary>The swarm cache keeps to its bound (swarms and bytes), dropping the least recently used.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenTheCacheIsFull(AzuriteFixture azurite)
{
    [Fact]
    public async Task TheCacheKeepsToItsBoundLeastRecentlyUsedFirst()
    {
        var options = azurite.NewTables(o => o.CacheMaxSwarms = 10);
        var time = Tables.Clock();
        using var store = Tables.Store(options, time);
        await store.ScrapeAsync(Peers.Hash(949));
        for (var n = 0; n < 30; n++)
        {
            time.Advance(TimeSpan.FromMilliseconds(10));
            await store.AnnounceAsync(Peers.Command(Peers.Hash(950 + n), 1, PeerEvent.Started));
        }

        for (var wait = 0; wait < 50 && store.CachedSwarms > 10; wait++)
        {
            await Task.Delay(50);
        }

        Assert.InRange(store.CachedSwarms, 1, 10);
        Assert.True(store.Metrics.Evictions >= 20, $"{store.Metrics.Evictions} evictions");
        Assert.InRange(store.CachedBytes, 1, 10 * 4096);
        // The most recent swarm is still cached; the oldest is read again.
        var before = store.Metrics.Snapshot().Transactions;
        Assert.Equal(new SwarmCounts(0, 1, 0), await store.ScrapeAsync(Peers.Hash(979)));
        Assert.Equal(before, store.Metrics.Snapshot().Transactions);
        Assert.Equal(new SwarmCounts(0, 1, 0), await store.ScrapeAsync(Peers.Hash(950)));
        Assert.True(store.Metrics.Snapshot().Transactions > before);
    }
}
