using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenPurging(AzuriteFixture azurite)
{
    private static readonly SwarmSettings Settings = new() { PeerTtlSeconds = 2700 };

    [Fact]
    public async Task OnlyExpiredPeersAreDeleted()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(40);
        using var store = Tables.Store(options, time, Settings);
        for (var n = 1; n <= 150; n++)
        {
            await store.AnnounceAsync(Peers.Command(hash, n, PeerEvent.Started));
        }

        time.Advance(TimeSpan.FromSeconds(2000));
        for (var n = 1; n <= 5; n++)
        {
            await store.AnnounceAsync(Peers.Command(hash, n));
        }

        await store.AnnounceAsync(Peers.Command(hash, 500, PeerEvent.Started));
        time.Advance(TimeSpan.FromSeconds(Settings.PeerTtlSeconds - 2000 + options.PurgeBucketSeconds + 1));

        var report = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(145, report.PeersRemoved);
        Assert.Equal(1, report.SwarmsVisited);
        Assert.Equal(0, report.SwarmsRemoved);
        using var fresh = Tables.Store(options, time, Settings);
        var after = await fresh.AnnounceAsync(Peers.Command(hash, 900, PeerEvent.Started));
        Assert.Equal(new HashSet<int> { 1, 2, 3, 4, 5, 500 }, Peers.Numbers(after));
    }

    [Fact]
    public async Task SwarmsThatCannotHoldExpiredPeersAreNotVisited()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var store = Tables.Store(options, time, Settings);
        await store.AnnounceAsync(Peers.Command(Peers.Hash(41), 1, PeerEvent.Started));
        time.Advance(TimeSpan.FromSeconds(1500));
        for (var swarm = 42; swarm < 52; swarm++)
        {
            await store.AnnounceAsync(Peers.Command(Peers.Hash(swarm), 1, PeerEvent.Started));
        }

        time.Advance(TimeSpan.FromSeconds(Settings.PeerTtlSeconds - 1500 + options.PurgeBucketSeconds + 1));
        var first = await store.PurgeAsync(CancellationToken.None);
        var second = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(1, first.SwarmsVisited);
        Assert.Equal(1, first.PeersRemoved);
        Assert.Equal(1, first.SwarmsRemoved);
        Assert.Equal(0, second.SwarmsVisited);
    }

    [Fact]
    public async Task AnEmptySwarmWithDownloadsIsKeptUntilItsRetentionEnds()
    {
        var settings = new SwarmSettings { PeerTtlSeconds = 2700, EmptySwarmRetentionSeconds = 86400 };
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(53);
        using var store = Tables.Store(options, time, settings);
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Completed, left: 0));
        await store.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));
        await store.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Stopped));

        time.Advance(TimeSpan.FromSeconds(settings.PeerTtlSeconds + options.PurgeBucketSeconds + 1));
        var expiry = await store.PurgeAsync(CancellationToken.None);
        var kept = await store.ScrapeAsync(hash);
        time.Advance(TimeSpan.FromSeconds(settings.EmptySwarmRetentionSeconds));
        var retirement = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(2, expiry.PeersRemoved);
        Assert.Equal(0, expiry.SwarmsRemoved);
        Assert.Equal(new SwarmCounts(0, 0, 1), kept);
        Assert.Equal(1, retirement.SwarmsVisited);
        Assert.Equal(1, retirement.SwarmsRemoved);
        Assert.Empty(await store.ListSwarmsAsync(CancellationToken.None));
        using var fresh = Tables.Store(options, time, settings);
        Assert.Equal(default, await fresh.ScrapeAsync(hash));
    }

    [Fact]
    public async Task ARePeerThatAnnouncedAgainSurvivesThePurgeOfItsOldBucket()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(54);
        using var store = Tables.Store(options, time, Settings);
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        time.Advance(TimeSpan.FromSeconds(Settings.PeerTtlSeconds - 10));
        await store.AnnounceAsync(Peers.Command(hash, 1));
        time.Advance(TimeSpan.FromSeconds(options.PurgeBucketSeconds + 20));

        var report = await store.PurgeAsync(CancellationToken.None);

        Assert.Equal(1, report.SwarmsVisited);
        Assert.Equal(0, report.PeersRemoved);
        Assert.Equal(new SwarmCounts(0, 1, 0), await store.ScrapeAsync(hash));
    }
}
