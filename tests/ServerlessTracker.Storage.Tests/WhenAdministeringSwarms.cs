using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Storage.Tests;

/// <summary>The admin API's swarm inspection and drop on Table Storage (real Azurite), across instances.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenAdministeringSwarms(AzuriteFixture azurite)
{
    [Fact]
    public async Task InspectingShowsPeersCountsAndWhichPeersCameFromAnotherRegion()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(300);
        using (var writer = Tables.Store(options, time, new SwarmSettings { RememberStops = true }))
        {
            await writer.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started, left: 0));
            await writer.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));
            await writer.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Started));
            await writer.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Completed, left: 0));
            await writer.AnnounceAsync(Peers.Command(hash, 4, PeerEvent.Started));
            await writer.AnnounceAsync(Peers.Command(hash, 4, PeerEvent.Stopped));
            await writer.ApplyAsync(new[] { new PeerUpdate(hash, Peers.Id(5), Peers.Address(5), 6886, ReplicatedPeerState.Leecher, false, time.GetUtcNow().ToUnixTimeMilliseconds(), 0, 0) }, default);
        }

        using var admin = Tables.Store(options, time);
        var details = await admin.InspectAsync(hash, 200, default);

        Assert.NotNull(details);
        Assert.Equal(new SwarmCounts(2, 2, 1), details.Counts);
        Assert.Equal([1, 2, 3, 5], details.Peers.Select(p => Peers.Number(p.Address)).Order());
        Assert.Equal([5], details.Peers.Where(p => p.Remote).Select(p => Peers.Number(p.Address)));
        Assert.Equal([1, 3], details.Peers.Where(p => p.Seeder).Select(p => Peers.Number(p.Address)).Order());
        Assert.Equal((uint)time.GetUtcNow().ToUnixTimeSeconds(), details.LastActivity);

        // Fewer peers asked for: the page is bounded, the counts are still the swarm's.
        var two = await admin.InspectAsync(hash, 2, default);
        Assert.Equal(2, two!.Peers.Count);
        Assert.Equal(new SwarmCounts(2, 2, 1), two.Counts);
    }

    [Fact]
    public async Task ALargeSwarmIsInspectedFromABoundedPage()
    {
        var options = azurite.NewTables(o => { o.FullReadMaxRows = 30; o.WindowRows = 10; });
        var time = Tables.Clock();
        var hash = Peers.Hash(301);
        using (var writer = Tables.Store(options, time))
        {
            await Task.WhenAll(Enumerable.Range(1, 120).Select(n => writer.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started, left: n % 4 == 0 ? 0 : 100))));
        }

        using var admin = Tables.Store(options, time);
        await admin.InitializeAsync(default);
        var before = admin.Metrics.Snapshot();
        var details = await admin.InspectAsync(hash, 10, default);
        var cost = admin.Metrics.Snapshot().Since(before);

        Assert.Equal(10, details!.Peers.Count);
        Assert.Equal(new SwarmCounts(30, 90, 0), details.Counts);
        // Counters, one page of peers, and the cache's read (window and a first count): never the whole partition page by page.
        Assert.InRange(cost.Transactions, 3, 8);
    }

    [Fact]
    public async Task AnUnknownSwarmIsNeitherInspectedNorDropped()
    {
        using var store = Tables.Store(azurite.NewTables(), Tables.Clock());
        Assert.Null(await store.InspectAsync(Peers.Hash(302), 10, default));
        Assert.False(await store.DropAsync(Peers.Hash(302), default));
    }

    [Fact]
    public async Task DroppingDeletesEveryRowInBatchesAndTheRegistryEntry()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(303);
        var other = Peers.Hash(304);
        using var store = Tables.Store(options, time);
        await Task.WhenAll(Enumerable.Range(1, 250).Select(n => store.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started))));
        await store.AnnounceAsync(Peers.Command(hash, 7, PeerEvent.Completed, left: 0));
        await store.AnnounceAsync(Peers.Command(other, 1, PeerEvent.Started));

        Assert.True(await store.DropAsync(hash, default));

        Assert.Null(await store.InspectAsync(hash, 10, default));
        Assert.Equal(new SwarmCounts(0, 0, 0), await store.ScrapeAsync(hash));
        using var fresh = Tables.Store(options, time);
        Assert.Equal([other], (await fresh.ListSwarmsAsync(default)).Select(s => s.InfoHash));
        Assert.False(await store.DropAsync(hash, default));

        // Purge later meets the swarm's old schedule rows, finds nothing, and clears them.
        time.Advance(TimeSpan.FromSeconds(new SwarmSettings().PeerTtlSeconds + options.PurgeBucketSeconds + 1));
        var purge = await store.PurgeAsync(default);
        Assert.Equal((2, 1, 1), (purge.SwarmsVisited, purge.PeersRemoved, purge.SwarmsRemoved));
        Assert.Equal(0, (await store.PurgeAsync(default)).SwarmsVisited);
    }

    [Fact]
    public async Task AnotherInstanceForgetsTheSwarmWithinTheCacheStalenessAndDoesNotWriteOldCountsBack()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(305);
        using var a = Tables.Store(options, time);
        using var b = Tables.Store(options, time);
        await b.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        await b.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Completed, left: 0));
        await b.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));
        await b.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Completed, left: 0));
        Assert.Equal(new SwarmCounts(2, 0, 2), await b.ScrapeAsync(hash));

        Assert.True(await a.DropAsync(hash, default));
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        Assert.Equal(new SwarmCounts(0, 0, 0), await b.ScrapeAsync(hash));
        var answer = await b.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Started));
        Assert.Empty(Peers.Numbers(answer));
        await b.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Completed, left: 0));
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        // Only the completion after the drop: b started a new count rather than writing its old total back.
        Assert.Equal(new SwarmCounts(1, 0, 1), await a.ScrapeAsync(hash));
        Assert.Equal(new SwarmCounts(1, 0, 1), await b.ScrapeAsync(hash));
        Assert.Contains(hash, (await Tables.Store(options, time).ListSwarmsAsync(default)).Select(s => s.InfoHash));
    }
}
