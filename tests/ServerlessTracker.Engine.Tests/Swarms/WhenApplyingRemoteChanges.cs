using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

public class WhenApplyingRemoteChanges
{
    private const long T0 = 1_800_000_000_000;

    /// <summary>Local announces taken as they come (min interval not enforced): these tests are about the session base.</summary>
    private static readonly SwarmSettings Lenient = new() { EnforceMinInterval = false };

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
    public void AChangeFromAnotherAddressWithoutThePeersKeyIsRefused()
    {
        var swarm = new Swarm();
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0) with { Key = 0xBEEF, HasKey = true }, 0);

        var hijack = swarm.ApplyRemote(Update(1, ReplicatedPeerState.Seeder, T0 + 1000, addressSeed: 60), 0);
        var wrongKey = swarm.ApplyRemote(Update(1, ReplicatedPeerState.Seeder, T0 + 2000, addressSeed: 60) with { Key = 0xDEAD, HasKey = true }, 0);
        var stop = swarm.ApplyRemote(Update(1, ReplicatedPeerState.Stopped, T0 + 3000, addressSeed: 60), 0);
        var moved = swarm.ApplyRemote(Update(1, ReplicatedPeerState.Seeder, T0 + 4000, addressSeed: 70) with { Key = 0xBEEF, HasKey = true }, 0);

        Assert.False(hijack);
        Assert.False(wrongKey);
        Assert.False(stop);
        Assert.True(moved);
        Assert.True(swarm.TryGet(Peers.Id(1), out var peer, out var seeder));
        Assert.Equal((Peers.V4(71), true, 0xBEEFu), (peer.Address, seeder, peer.Key));
    }

    [Fact]
    public void AKeyLearnedFromAnotherRegionHoldsForLocalAnnounces()
    {
        var swarm = new Swarm();
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0) with { Key = 0xBEEF, HasKey = true }, 0);

        var result = new AnnounceResult(10);
        swarm.Announce(Peers.Announce(1, address: Peers.V4(99), @event: PeerEvent.Started), (uint)(T0 / 1000) + 5, new SwarmSettings(), new Random(1), result);

        Assert.Equal(AnnounceStatus.KeyMismatch, result.Status);
    }

    [Fact]
    public void TheSessionCountersOfARemoteCopyAreTheBaseOfTheNextLocalDelta()
    {
        var swarm = new Swarm();
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0) with { Uploaded = 1000, Downloaded = 4000 }, 0);

        var result = new AnnounceResult(10);
        swarm.Announce(Peers.Announce(1, uploaded: 1300, downloaded: 4500) with { Accounted = true }, (uint)(T0 / 1000) + 5, Lenient, new Random(1), result);

        Assert.Equal((300L, 500L), (result.UploadedDelta, result.DownloadedDelta));
    }

    [Fact]
    public void AReplicatedStopKeepsItsCountersForASessionThatGoesOn()
    {
        var swarm = new Swarm();
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Stopped, T0) with { Uploaded = 1000, Downloaded = 4000 }, 0);

        var result = new AnnounceResult(10);
        swarm.Announce(Peers.Announce(1, uploaded: 1100, downloaded: 4000) with { Accounted = true }, (uint)(T0 / 1000) + 5, Lenient, new Random(1), result);

        Assert.Equal((100L, 0L), (result.UploadedDelta, result.DownloadedDelta));
    }

    [Fact]
    public void ARowReadBackReplacesOnlyAnOlderCopy()
    {
        var swarm = new Swarm();
        var at = (uint)(T0 / 1000);
        swarm.ApplyRemote(Update(1, ReplicatedPeerState.Leecher, T0), 0);
        var older = new PeerRecord { Id = Peers.Id(1), Address = Peers.V4(50), Port = 1, LastSeen = at - 10, Flags = PeerFlags.CountedComplete };
        var newer = new PeerRecord { Id = Peers.Id(2), Address = Peers.V4(51), Port = 2, LastSeen = at, Key = 7, Flags = PeerFlags.HasKey };

        swarm.Learn(new StoredPeer(older, StoredPeerState.Seeder), 0, rememberStops: false);
        swarm.Learn(new StoredPeer(newer, StoredPeerState.Seeder), 0, rememberStops: false);

        Assert.True(swarm.TryGet(Peers.Id(1), out var kept, out var keptSeeder));
        Assert.Equal((Peers.V4(1), false), (kept.Address, keptSeeder));
        Assert.Equal(PeerFlags.CountedComplete, kept.Flags & PeerFlags.CountedComplete);
        Assert.True(swarm.TryGet(Peers.Id(2), out var learned, out var learnedSeeder));
        Assert.Equal((Peers.V4(51), true, 7u), (learned.Address, learnedSeeder, learned.Key));
    }

    [Fact]
    public void AStoppedRowReadBackIsAStopAndASessionBaseNotAPeer()
    {
        var swarm = new Swarm();
        var at = (uint)(T0 / 1000);
        var stopped = new PeerRecord { Id = Peers.Id(3), LastSeen = at, Uploaded = 500, Downloaded = 50 };

        swarm.Learn(new StoredPeer(stopped, StoredPeerState.Stopped), 0, rememberStops: true);
        var late = swarm.ApplyRemote(Update(3, ReplicatedPeerState.Leecher, T0 - 1000), 0);
        var result = new AnnounceResult(10);
        swarm.Announce(Peers.Announce(3, uploaded: 800, downloaded: 50) with { Accounted = true }, at + 5, Lenient, new Random(1), result);

        Assert.False(late);
        Assert.Equal((300L, 0L), (result.UploadedDelta, result.DownloadedDelta));
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
