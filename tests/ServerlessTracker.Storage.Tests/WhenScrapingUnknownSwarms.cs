using Azure.Data.Tables;
using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

/// <summary>Hashes no swarm has are answered from what the instance knows of the registry (its swarm directory): no Table
/// query, no cache entry; a new swarm starts without reading its empty partition.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenScrapingUnknownSwarms(AzuriteFixture azurite)
{
    private static InfoHash[] Random(int count, int seed)
    {
        var random = new Random(seed);
        var hashes = new InfoHash[count];
        var bytes = new byte[InfoHash.Length];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            hashes[i] = InfoHash.FromBytes(bytes);
        }

        return hashes;
    }

    [Fact]
    public async Task HashesNoSwarmHasCostNoTransactionAndNoCacheEntry()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var store = Tables.Store(options, time);
        var known = Peers.Hash(900);
        await store.AnnounceAsync(Peers.Command(known, 1, PeerEvent.Started));
        Assert.Equal(new SwarmCounts(0, 1, 0), await store.ScrapeAsync(known));

        // A UDP scrape's worth of hashes nobody announced, and the one swarm that exists.
        var hashes = Random(74, 1).Append(known).ToArray();
        var counts = new SwarmCounts[hashes.Length];
        var before = store.Metrics.Snapshot();
        var cached = store.CachedSwarms;
        for (var round = 0; round < 3; round++)
        {
            Assert.Equal(Engine.Stores.ScrapeStatus.Ok, await store.ScrapeAsync(hashes, counts, default));
        }

        Assert.Equal(before.Transactions, store.Metrics.Snapshot().Transactions);
        Assert.Equal(cached, store.CachedSwarms);
        Assert.All(counts[..74], c => Assert.Equal(default, c));
        Assert.Equal(new SwarmCounts(0, 1, 0), counts[74]);
    }

    [Fact]
    public async Task ASwarmAnotherInstanceCreatesIsScrapedOnceTheStalenessHasPassed()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var reader = Tables.Store(options, time);
        using var writer = Tables.Store(options, time);
        var hash = Peers.Hash(901);
        Assert.Equal(default, await reader.ScrapeAsync(hash));

        await writer.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started, left: 0));
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        Assert.Equal(new SwarmCounts(1, 0, 0), await reader.ScrapeAsync(hash));
    }

    [Fact]
    public async Task ANewInstanceKnowsEveryRegisteredSwarm()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var writer = Tables.Store(options, time);
        var hashes = Enumerable.Range(910, 20).Select(Peers.Hash).ToArray();
        foreach (var hash in hashes)
        {
            await writer.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        }

        using var fresh = Tables.Store(options, time);
        var counts = new SwarmCounts[hashes.Length];
        await fresh.ScrapeAsync(hashes, counts, default);
        Assert.All(counts, c => Assert.Equal(new SwarmCounts(0, 1, 0), c));
    }

    [Fact]
    public async Task AStopForASwarmNobodyHasIsNotWrittenAndCachesNothing()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var store = Tables.Store(options, time);
        await store.ScrapeAsync(Peers.Hash(920));
        var before = store.Metrics.Snapshot();
        var cached = store.CachedSwarms;

        var stopped = await store.AnnounceAsync(Peers.Command(Peers.Hash(921), 1, PeerEvent.Stopped));

        Assert.Equal(PeerChange.None, stopped.Change);
        Assert.Equal(cached, store.CachedSwarms);
        Assert.Equal(before.Transactions, store.Metrics.Snapshot().Transactions);
    }

    [Fact]
    public async Task ANewSwarmIsStartedWithoutReadingItsEmptyPartition()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var store = Tables.Store(options, time);
        await store.ScrapeAsync(Peers.Hash(930));
        var before = store.Metrics.Snapshot().Transactions;

        var first = await store.AnnounceAsync(Peers.Command(Peers.Hash(931), 1, PeerEvent.Started));

        // The peer's batch and the index rows (registry, schedule, journal): no read of a partition nobody wrote.
        Assert.Equal(PeerChange.Added, first.Change);
        Assert.Equal(2, store.Metrics.Snapshot().Transactions - before);
        Assert.Equal(new SwarmCounts(0, 1, 0), await Tables.Store(options, time).ScrapeAsync(Peers.Hash(931)));
    }

    [Fact]
    public async Task RetiredSwarmsAreForgottenAndOldJournalRowsPurged()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var settings = new SwarmSettings();
        using var store = Tables.Store(options, time, settings);
        var hash = Peers.Hash(940);
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        await store.ScrapeAsync(hash);
        Assert.True(store.MayHold(hash));
        var index = new TableClient(options.ConnectionString, options.IndexTable);
        Assert.Single(JournalRows(index));

        time.Advance(TimeSpan.FromSeconds(settings.PeerTtlSeconds + options.PurgeBucketSeconds + 1));
        var report = await store.PurgeAsync(default);

        Assert.Equal(1, report.SwarmsRemoved);
        Assert.Empty(JournalRows(index));
        Assert.Equal(0, store.KnownSwarms);
    }

    private static List<string> JournalRows(TableClient index) =>
        [.. index.Query<TableEntity>("RowKey ge 'n' and RowKey lt 'o'").Select(r => r.RowKey)];
}
