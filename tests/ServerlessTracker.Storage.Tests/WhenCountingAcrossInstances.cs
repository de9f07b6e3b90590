using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenCountingAcrossInstances(AzuriteFixture azurite)
{
    [Fact]
    public async Task EachInstanceSeesTheOthersPeersOnceItsCacheIsStale()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(30);
        using var a = Tables.Store(options, time);
        using var b = Tables.Store(options, time);

        await a.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started, left: 0));
        await b.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));
        await a.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Started));
        var cachedOnA = await a.ScrapeAsync(hash);
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        Assert.Equal(new SwarmCounts(1, 1, 0), cachedOnA);
        Assert.Equal(new SwarmCounts(1, 2, 0), await a.ScrapeAsync(hash));
        Assert.Equal(new SwarmCounts(1, 2, 0), await b.ScrapeAsync(hash));
    }

    [Fact]
    public async Task DownloadedSumsCompletionsFromEveryInstance()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(31);
        using var a = Tables.Store(options, time);
        using var b = Tables.Store(options, time);

        await Task.WhenAll(Enumerable.Range(1, 40).Select(n =>
            (n % 2 == 0 ? a : b).AnnounceAsync(Peers.Command(hash, n, PeerEvent.Completed, left: 0))));
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));
        using var c = Tables.Store(options, time);

        Assert.Equal(new SwarmCounts(40, 0, 40), await a.ScrapeAsync(hash));
        Assert.Equal(new SwarmCounts(40, 0, 40), await b.ScrapeAsync(hash));
        Assert.Equal(new SwarmCounts(40, 0, 40), await c.ScrapeAsync(hash));
    }

    [Fact]
    public async Task APeerCompletesOnceEvenWhenItsSecondCompletedReachesAnotherInstance()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(32);
        using var a = Tables.Store(options, time);
        using var b = Tables.Store(options, time);
        await b.AnnounceAsync(Peers.Command(hash, 9, PeerEvent.Started));

        var first = await a.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Completed, left: 0));
        var again = await b.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Completed, left: 0));
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        Assert.True(first.CountedCompletion);
        Assert.False(again.CountedCompletion);
        Assert.Equal(1, (await a.ScrapeAsync(hash)).Downloaded);
        Assert.Equal(1, (await b.ScrapeAsync(hash)).Downloaded);
    }
}
