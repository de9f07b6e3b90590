using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

/// <summary>Large partitions, scaled down: 30 rows stand for one page, 10 peers for a window.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenASwarmIsLarge(AzuriteFixture azurite)
{
    private const int Peers_ = 120;

    [Fact]
    public async Task ARefreshReadsAWindowNotThePartitionAndCountsComeFromTheSummary()
    {
        var options = azurite.NewTables(o => { o.FullReadMaxRows = 30; o.WindowRows = 10; });
        var time = Tables.Clock();
        var hash = Peers.Hash(60);
        await FillAsync(options, time, hash);

        using var reader = Tables.Store(options, time);
        var first = await reader.AnnounceAsync(Peers.Command(hash, 10_000, PeerEvent.Started, numWant: 200));
        var before = reader.Metrics.Snapshot();
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));
        var second = await reader.AnnounceAsync(Peers.Command(hash, 10_001, PeerEvent.Started, numWant: 200));
        var refresh = reader.Metrics.Snapshot().Since(before);

        Assert.Equal(new SwarmCounts(Peers_ / 4, Peers_ - (Peers_ / 4), 0), first.Counts);
        Assert.InRange(first.PeerCount, 1, 10);
        Assert.InRange(second.PeerCount, 1, 12);

        // Counters and window in parallel, the group-commit write: no page-by-page read of the partition.
        Assert.InRange(refresh.Transactions, 2, 4);
    }

    [Fact]
    public async Task WindowsMoveAroundTheWholeSwarm()
    {
        var options = azurite.NewTables(o => { o.FullReadMaxRows = 30; o.WindowRows = 10; });
        var time = Tables.Clock();
        var hash = Peers.Hash(61);
        await FillAsync(options, time, hash);
        using var reader = Tables.Store(options, time, seed: 3);

        var seen = new HashSet<int>();
        for (var i = 0; i < 30; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));
            var result = await reader.AnnounceAsync(Peers.Command(hash, 20_000, numWant: 200));
            seen.UnionWith(Peers.Numbers(result));
        }

        seen.Remove(20_000);
        Assert.True(seen.Count > Peers_ / 2, $"30 windows of 10 reached only {seen.Count} of {Peers_} peers");
    }

    [Fact]
    public async Task ASwarmThatShrankIsReadWholeAgain()
    {
        var options = azurite.NewTables(o => { o.FullReadMaxRows = 30; o.WindowRows = 10; });
        var time = Tables.Clock();
        var hash = Peers.Hash(62);
        await FillAsync(options, time, hash);
        using var store = Tables.Store(options, time);
        await store.AnnounceAsync(Peers.Command(hash, 10_000, PeerEvent.Started));

        time.Advance(TimeSpan.FromSeconds(new SwarmSettings().PeerTtlSeconds + options.PurgeBucketSeconds + 1));
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        var purge = await store.PurgeAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));
        var after = await store.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));

        Assert.Equal(Peers_, purge.PeersRemoved);
        Assert.Equal(new SwarmCounts(0, 2, 0), after.Counts);
        Assert.Equal(new HashSet<int> { 1 }, Peers.Numbers(after));
    }

    private static async Task FillAsync(Storage.Hosting.TableStoreOptions options, TimeProvider time, InfoHash hash)
    {
        using var writer = Tables.Store(options, time);
        await Task.WhenAll(Enumerable.Range(1, Peers_).Select(n =>
            writer.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started, left: n % 4 == 0 ? 0 : 100))));
    }
}
