using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenManyAnnounceAtOnce(AzuriteFixture azurite)
{
    [Fact]
    public async Task ConcurrentWritesToOneSwarmShareTransactionsAndNoneIsLost()
    {
        const int peers = 300;
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(20);
        using var store = Tables.Store(options, time);
        await store.InitializeAsync(CancellationToken.None);
        var before = store.Metrics.Snapshot();

        var results = await Task.WhenAll(Enumerable.Range(1, peers).Select(n => store.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started))));

        var metrics = store.Metrics.Snapshot().Since(before);
        Assert.All(results, r => Assert.Equal(AnnounceStatus.Ok, r.Status));
        Assert.Equal(peers, metrics.BatchedWrites);
        Assert.True(metrics.Batches <= peers / 10, $"{metrics.Batches} batches for {peers} concurrent writes");
        Assert.True(metrics.Transactions <= peers / 5, $"{metrics.Transactions} transactions for {peers} concurrent announces");

        using var fresh = Tables.Store(options, time);
        Assert.Equal(new SwarmCounts(0, peers, 0), await fresh.ScrapeAsync(hash));
    }

    [Fact]
    public async Task RepeatedWritesOfOnePeerCoalesceAndAllComplete()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(21);
        using var store = Tables.Store(options, time);
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            store.AnnounceAsync(Peers.Command(hash, 1 + (i % 2), left: i))));

        Assert.All(results, r => Assert.Equal(AnnounceStatus.Ok, r.Status));
        using var fresh = Tables.Store(options, time);
        Assert.Equal(2, (await fresh.ScrapeAsync(hash)).Peers);
    }

    [Fact]
    public async Task BatchesNeverExceedTheConfiguredSize()
    {
        var options = azurite.NewTables(o => o.MaxBatchSize = 10);
        var time = Tables.Clock();
        var hash = Peers.Hash(22);
        using var store = Tables.Store(options, time);
        await store.AnnounceAsync(Peers.Command(hash, 0, PeerEvent.Started));
        var before = store.Metrics.Snapshot();

        var results = await Task.WhenAll(Enumerable.Range(1, 100).Select(n => store.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Completed, left: 0))));

        var metrics = store.Metrics.Snapshot().Since(before);
        Assert.All(results, r => Assert.Equal(AnnounceStatus.Ok, r.Status));
        Assert.True(metrics.Batches >= 100 / 9, $"{metrics.Batches} batches: at most 9 peers and one delta row fit in 10 operations");
        using var fresh = Tables.Store(options, time);
        Assert.Equal(new SwarmCounts(100, 1, 100), await fresh.ScrapeAsync(hash));
    }
}
