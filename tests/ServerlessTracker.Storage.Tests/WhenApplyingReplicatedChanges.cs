using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Storage.Tests;

/// <summary>Cross-region sync into Table Storage: at-least-once, any order, any instance.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenApplyingReplicatedChanges(AzuriteFixture azurite)
{
    private static readonly SwarmSettings Settings = new() { RememberStops = true };

    [Fact]
    public async Task ARemotePeerIsStoredAndServedByEveryInstance()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(100);
        using var a = Tables.Store(options, time, Settings);
        using var b = Tables.Store(options, time, Settings);

        var applied = await a.ApplyAsync(new[] { Update(hash, 1, ReplicatedPeerState.Seeder, time, 0), Update(hash, 2, ReplicatedPeerState.Leecher, time, 0) }, CancellationToken.None);
        var again = await a.ApplyAsync(new[] { Update(hash, 1, ReplicatedPeerState.Seeder, time, 0) }, CancellationToken.None);
        var result = await b.AnnounceAsync(Peers.Command(hash, 3, PeerEvent.Started));

        Assert.Equal(2, applied);
        Assert.Equal(1, again);
        Assert.Equal(new HashSet<int> { 1, 2 }, Peers.Numbers(result));
        Assert.Equal(new SwarmCounts(1, 2, 0), result.Counts);
    }

    [Fact]
    public async Task AStopBeatsAnOlderAnnounceThatArrivesLaterAtAnotherInstance()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(101);
        using var a = Tables.Store(options, time, Settings);
        using var b = Tables.Store(options, time, Settings);
        await a.AnnounceAsync(Peers.Command(hash, 9, PeerEvent.Started));

        await a.ApplyAsync(new[] { Update(hash, 1, ReplicatedPeerState.Stopped, time, -10) }, CancellationToken.None);
        await b.ApplyAsync(new[] { Update(hash, 1, ReplicatedPeerState.Leecher, time, -20) }, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        using var c = Tables.Store(options, time, Settings);
        Assert.Equal(new SwarmCounts(0, 1, 0), await c.ScrapeAsync(hash));
    }

    [Fact]
    public async Task ARemoteCompletionDeliveredToTwoInstancesCountsOnce()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(102);
        using var a = Tables.Store(options, time, Settings);
        using var b = Tables.Store(options, time, Settings);
        await b.ScrapeAsync(hash);
        var completed = Update(hash, 1, ReplicatedPeerState.Seeder, time, 0) with { Completed = true };

        var later = completed with { AnnouncedAtMs = completed.AnnouncedAtMs + 1000 };

        await a.ApplyAsync(new[] { completed }, CancellationToken.None);
        await b.ApplyAsync(new[] { completed, completed }, CancellationToken.None);
        await b.ApplyAsync(new[] { later }, CancellationToken.None);
        await a.ApplyAsync(new[] { later }, CancellationToken.None);
        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));

        // Counted once per (peer, announce time), as the engine counts replicated completions.
        Assert.Equal(new SwarmCounts(1, 0, 2), await a.ScrapeAsync(hash));
        Assert.Equal(new SwarmCounts(1, 0, 2), await b.ScrapeAsync(hash));
    }

    private static PeerUpdate Update(InfoHash hash, int peer, ReplicatedPeerState state, TimeProvider time, int secondsFromNow) =>
        new(hash, Peers.Id(peer), Peers.Address(peer), 6881, state, false, time.GetUtcNow().AddSeconds(secondsFromNow).ToUnixTimeMilliseconds(), 0, 0);
}
