using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenAnnouncingToTables(AzuriteFixture azurite)
{
    [Fact]
    public async Task PeersSurviveIntoAFreshInstance()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(1);
        using (var first = Tables.Store(options, time))
        {
            Assert.Equal(AnnounceStatus.Ok, (await first.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started))).Status);
            Assert.Equal(AnnounceStatus.Ok, (await first.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started, left: 0))).Status);
        }

        using var second = Tables.Store(options, time);
        var result = await second.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Started));

        Assert.Equal(AnnounceStatus.Ok, result.Status);
        Assert.Equal(new HashSet<int> { 1, 2 }, Peers.Numbers(result));
        Assert.Equal(new SwarmCounts(1, 2, 0), result.Counts);
    }

    [Fact]
    public async Task StoredPeerKeepsItsAddressPortAndKey()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(2);
        var keyed = Peers.Command(hash, 5, PeerEvent.Started) with { Key = 0xfeedbeef, HasKey = true, Uploaded = 10, Downloaded = 20, Accounted = true };
        using (var first = Tables.Store(options, time))
        {
            await first.AnnounceAsync(keyed);
        }

        // A min interval later, so the re-announce is stored rather than answered from the swarm.
        time.Advance(TimeSpan.FromSeconds(new SwarmSettings().RewriteWindowSeconds));
        using var second = Tables.Store(options, time);
        var hijack = await second.AnnounceAsync(Peers.Command(hash, 5) with { Address = Peers.Address(99) });
        var sameKey = await second.AnnounceAsync(keyed with { Event = PeerEvent.None, Uploaded = 15 });

        Assert.Equal(AnnounceStatus.KeyMismatch, hijack.Status);
        Assert.Equal(AnnounceStatus.Ok, sameKey.Status);
        Assert.Equal(5, sameKey.UploadedDelta);
    }

    [Fact]
    public async Task StoppedPeerIsGoneForOtherInstances()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(3);
        using var first = Tables.Store(options, time);
        using var second = Tables.Store(options, time);
        await first.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        await first.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));

        // The second instance never saw peer 2 in its cache, and still removes it from the partition.
        Assert.Equal(new SwarmCounts(0, 2, 0), await second.ScrapeAsync(hash));
        await first.AnnounceAsync(Peers.Command(hash, 4, PeerEvent.Started));

        var stop = await second.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Stopped));
        using var third = Tables.Store(options, time);
        var after = await third.AnnounceAsync(Peers.Command(hash, 9, PeerEvent.Started));

        Assert.Equal(AnnounceStatus.Ok, stop.Status);
        Assert.Equal(new HashSet<int> { 1, 4 }, Peers.Numbers(after));
    }

    [Fact]
    public async Task ScrapeOfUnknownSwarmIsZeroAndStoresNothing()
    {
        var options = azurite.NewTables();
        using var store = Tables.Store(options, Tables.Clock());

        var counts = await store.ScrapeAsync(Peers.Hash(404));
        var stop = await store.AnnounceAsync(Peers.Command(Peers.Hash(404), 1, PeerEvent.Stopped));
        var listed = await store.ListSwarmsAsync(CancellationToken.None);

        Assert.Equal(default, counts);
        Assert.Equal(AnnounceStatus.Ok, stop.Status);
        Assert.Empty(listed);
    }

    [Fact]
    public async Task FullScrapeListsSwarmsFromTheRegistry()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using (var writer = Tables.Store(options, time))
        {
            await writer.AnnounceAsync(Peers.Command(Peers.Hash(10), 1, PeerEvent.Started));
            await writer.AnnounceAsync(Peers.Command(Peers.Hash(11), 1, PeerEvent.Started, left: 0));
        }

        using var reader = Tables.Store(options, time);
        var listed = await reader.ListSwarmsAsync(CancellationToken.None);

        Assert.Equal(2, listed.Count);
        Assert.Contains(new SwarmSummary(Peers.Hash(10), new SwarmCounts(0, 1, 0)), listed);
        Assert.Contains(new SwarmSummary(Peers.Hash(11), new SwarmCounts(1, 0, 0)), listed);
    }
}
