using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

public class WhenApplyingRemoteChanges
{
    private const long T0 = 1_800_000_000_000;

    private static PeerUpdate Update(int peer, ReplicatedPeerState state, long atMs, bool completed = false, int addressSeed = 0) =>
        new(Peers.Torrent, Peers.Id(peer), Peers.V4(peer + addressSeed), 6881, state, completed, atMs, 0, 0);

    [Fact]
    public void ARemoteAnnounceAddsAPeerMarkedRemote()
    {
        var swarm = new Swarm();
        Assert.True(swarm.ApplyRemote(Update(1, ReplicatedPeerState.Seeder, T0), 0));
        Assert.True(swarm.TryGet(Peers.Id(1), out var peer, out var seeder));
        Assert.True(seeder);
        Assert.Equal(PeerFlags.Remote, peer.Flags & PeerFlags.Remote);
        Assert.Equal((uint)(T0 / 1000), peer.LastSeen);
    }

    [Fact]
    public void TheLaterAnnounceWins()
    {
        var swarm = new Swarm();
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Seeder, T0 + 5000, addressSeed: 50), 0);
        Assert.False(swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0), 0));
        Assert.True(swarm.TryGet(Peers.Id(1), out var peer, out var seeder));
        Assert.True(seeder);
        Assert.Equal(Peers.V4(51), peer.Address);
    }

    [Fact]
    public void AStopBeatsOlderAnnouncesThatArriveLater()
    {
        var swarm = new Swarm();
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0), 0);
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Stopped, T0 + 2000), 0);
        Assert.False(swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0 + 1000), 0));
        Assert.Equal(0, swarm.PeerCount);
        Assert.True(swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0 + 3000), 0));
        Assert.Equal(1, swarm.PeerCount);
    }

    [Fact]
    public void CompletedIsCountedOncePerPeerHoweverOftenItIsReplayed()
    {
        var swarm = new Swarm();
        for (var i = 0; i < 3; i++)
        {
            swarm.ApplyRemote(Update(1, ReplicatedPeerState.Seeder, T0, completed: true), 0);
        }

        Assert.Equal(1, swarm.Downloaded);
    }

    [Fact]
    public void ChangesOlderThanTheTtlAreDropped()
    {
        var swarm = new Swarm();
        Assert.False(swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0), (uint)(T0 / 1000) + 1));
        Assert.Equal(0, swarm.PeerCount);
    }

    [Fact]
    public void ALocalStopLeavesATombstoneWhenStopsAreRemembered()
    {
        var swarm = new Swarm();
        var settings = new SwarmSettings { RememberStops = true };
        var now = (uint)(T0 / 1000) + 10;
        swarm.Announce(Peers.Announce(1), now, settings, new Random(1), new AnnounceResult(10));
        swarm.Announce(Peers.Announce(1, @event: PeerEvent.Stopped), now, settings, new Random(1), new AnnounceResult(10));
        Assert.False(swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0), 0));
        Assert.Equal(0, swarm.PeerCount);
        Assert.Equal(0, swarm.RemoveExpired(now + 1));
        Assert.Equal(0, swarm.TombstoneCount);
    }

    [Fact]
    public void AnyOrderWithDuplicatesConvergesToTheSameState()
    {
        var random = new Random(11);
        var updates = new List<PeerUpdate>();
        for (var i = 0; i < 400; i++)
        {
            var state = (ReplicatedPeerState)random.Next(3);
            updates.Add(Update(random.Next(40), state, T0 + (i * 1000), completed: state == ReplicatedPeerState.Seeder && random.Next(2) == 0, addressSeed: i));
        }

        var first = Apply(updates);
        Assert.Equal(updates.Count(u => u.Completed), first.Downloaded);
        var reference = Snapshot(first);
        for (var round = 0; round < 20; round++)
        {
            var shuffled = updates.Concat(updates.Where(_ => random.Next(3) == 0)).OrderBy(_ => random.Next()).ToList();
            Assert.Equal(reference, Snapshot(Apply(shuffled)));
        }
    }

    private static Swarm Apply(IEnumerable<PeerUpdate> updates)
    {
        var swarm = new Swarm();
        foreach (var update in updates)
        {
            swarm.ApplyRemote(update, 0);
        }

        return swarm;
    }

    private static string Snapshot(Swarm swarm) =>
        string.Join(";", swarm.ListPeers(int.MaxValue).OrderBy(p => p.Peer.Id.ToHex()).Select(p => $"{p.Peer.Id.ToHex()}/{p.Peer.Address}/{p.Peer.LastSeen}/{p.Seeder}"))
        + $"|{swarm.Counts}";
}
