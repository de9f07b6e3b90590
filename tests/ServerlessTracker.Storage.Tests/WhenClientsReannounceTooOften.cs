using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

/// <summary>Re-announces inside min interval are answered from the cached swarm: no Table transaction, nothing lost.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenClientsReannounceTooOften(AzuriteFixture azurite)
{
    [Fact]
    public async Task PlainReannouncesCostNoTransactionButEventsAreStored()
    {
        var options = azurite.NewTables(o => o.CacheStalenessMilliseconds = 600_000);
        var time = Tables.Clock();
        var hash = Peers.Hash(800);
        using var store = Tables.Store(options, time);
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        await store.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started, left: 0));
        var before = store.Metrics.Snapshot();

        // Fifteen re-announces, 30 s apart: inside min interval, and inside the cache's staleness (no refresh read either).
        for (var i = 0; i < 15; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            var again = await store.AnnounceAsync(Peers.Command(hash, 1));
            Assert.Equal(AnnounceStatus.Ok, again.Status);
            Assert.Equal(PeerChange.Unchanged, again.Change);
            Assert.Equal(new SwarmCounts(1, 1, 0), again.Counts);
            Assert.Equal(new HashSet<int> { 2 }, Peers.Numbers(again));
            Assert.True(before.Transactions == store.Metrics.Snapshot().Transactions, $"re-announce {i}: {store.Metrics.Snapshot()} after {before}");
        }

        Assert.Equal(before.Transactions, store.Metrics.Snapshot().Transactions);

        var completed = await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Completed, left: 0));
        var stopped = await store.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Stopped, left: 0));
        Assert.Equal(PeerChange.Updated, completed.Change);
        Assert.Equal(PeerChange.Removed, stopped.Change);
        Assert.True(store.Metrics.Snapshot().Transactions > before.Transactions);

        // Another instance reads the partition: the completion and the stop are there.
        using var other = Tables.Store(options, time);
        Assert.Equal(new SwarmCounts(1, 0, 1), await other.ScrapeAsync(hash));
    }

    [Fact]
    public async Task AReannounceAfterMinIntervalIsStoredSoThePeerNeverExpires()
    {
        var options = azurite.NewTables(o => o.CacheStalenessMilliseconds = 600_000);
        var time = Tables.Clock();
        var settings = new SwarmSettings();
        var hash = Peers.Hash(801);
        using var store = Tables.Store(options, time, settings);
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));

        // A client re-announcing every 10 minutes for longer than a peer TTL stays in the swarm for everyone.
        for (var elapsed = 0; elapsed < settings.PeerTtlSeconds * 2; elapsed += 600)
        {
            time.Advance(TimeSpan.FromSeconds(600));
            await store.AnnounceAsync(Peers.Command(hash, 1));
        }

        using var other = Tables.Store(options, time, settings);
        var seen = await other.AnnounceAsync(Peers.Command(hash, 9, PeerEvent.Started));
        Assert.Equal(new HashSet<int> { 1 }, Peers.Numbers(seen));
    }
}
