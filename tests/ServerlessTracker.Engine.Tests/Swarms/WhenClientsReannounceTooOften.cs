using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

/// <summary>Re-announces inside the rewrite window (min interval) are answered from the swarm and change nothing a store
/// writes: enforced (the default), whatever they change but a stop and the first completion; lenient, when they change nothing.</summary>
public class WhenClientsReannounceTooOften
{
    private const uint Now = 1_800_000_000;
    private readonly Swarm _swarm = new();
    private readonly SwarmSettings _enforced = new();
    private readonly SwarmSettings _lenient = new() { EnforceMinInterval = false };
    private readonly Random _random = new(7);

    private uint Window => (uint)_enforced.RewriteWindowSeconds;

    private AnnounceResult Announce(AnnounceCommand command, uint now = Now) => Announce(command, now, _lenient);

    private AnnounceResult Enforced(AnnounceCommand command, uint now = Now) => Announce(command, now, _enforced);

    private AnnounceResult Announce(AnnounceCommand command, uint now, SwarmSettings settings)
    {
        var result = new AnnounceResult(settings.MaxNumWant);
        _swarm.Announce(command, now, settings, _random, result);
        return result;
    }

    [Fact]
    public void EnforcedInsideMinIntervalOnlyAStopAndTheFirstCompletionAreTaken()
    {
        Enforced(Peers.Announce(2, left: 0));
        Enforced(Peers.Announce(1, left: 5, @event: PeerEvent.Started));

        // A second 'started', a new address, port, state and key, a repeated 'completed': answered, never written.
        Assert.Equal(PeerChange.Unchanged, Enforced(Peers.Announce(1, left: 5, @event: PeerEvent.Started), Now + 1).Change);
        Assert.Equal(PeerChange.Unchanged, Enforced(Peers.Announce(1, left: 5, address: Peers.V4(50), port: 7000), Now + 2).Change);
        var seeded = Enforced(Peers.Announce(1, left: 0, key: 9, hasKey: true), Now + 3);
        Assert.Equal(PeerChange.Unchanged, seeded.Change);
        Assert.Equal(new SwarmCounts(1, 1, 0), seeded.Counts);
        Assert.True(_swarm.TryGet(Peers.Id(1), out var peer, out var seeder));
        Assert.Equal((Now, (ushort)6881, false, PeerFlags.None), (peer.LastSeen, peer.Port, seeder, peer.Flags));

        var completed = Enforced(Peers.Announce(1, left: 0, @event: PeerEvent.Completed), Now + 4);
        Assert.Equal((PeerChange.Updated, true), (completed.Change, completed.CountedCompletion));
        Assert.Equal(PeerChange.Unchanged, Enforced(Peers.Announce(1, left: 0, @event: PeerEvent.Completed), Now + 5).Change);
        Assert.Equal(1, _swarm.Downloaded);
        Assert.Equal(PeerChange.Removed, Enforced(Peers.Announce(1, left: 0, @event: PeerEvent.Stopped), Now + 6).Change);
        Assert.Equal(PeerChange.Added, Enforced(Peers.Announce(1, left: 0, @event: PeerEvent.Started), Now + 7).Change);
    }

    [Fact]
    public void EnforcedAPassKeysMovedCountersInsideMinIntervalAreCountedAtTheNextStoredAnnounce()
    {
        Enforced(Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100) with { Accounted = true });

        var inside = Enforced(Peers.Announce(1, uploaded: 900) with { Accounted = true }, Now + 1);
        var after = Enforced(Peers.Announce(1, uploaded: 1200) with { Accounted = true }, Now + Window);

        Assert.Equal((PeerChange.Unchanged, 0L), (inside.Change, inside.UploadedDelta));
        Assert.Equal((PeerChange.Updated, 1100L), (after.Change, after.UploadedDelta));
    }

    [Fact]
    public void EnforcedAPeerLearnedFromAnotherRegionIsAnsweredFromTheSwarmInsideMinInterval()
    {
        _swarm.Put(new PeerRecord { Id = Peers.Id(1), Address = Peers.V4(1), Port = 6881, LastSeen = Now, Flags = PeerFlags.Remote }, seeder: false);

        Assert.Equal(PeerChange.Unchanged, Enforced(Peers.Announce(1), Now + 1).Change);
        Assert.Equal(PeerChange.Updated, Enforced(Peers.Announce(1), Now + Window).Change);
    }

    [Fact]
    public void EnforcedAReannounceAfterTheWindowIsStoredWhateverItChanges()
    {
        Enforced(Peers.Announce(1, left: 5));
        var later = Enforced(Peers.Announce(1, left: 0, port: 7000), Now + Window);
        Assert.Equal(PeerChange.Updated, later.Change);
        Assert.True(_swarm.TryGet(Peers.Id(1), out var peer, out var seeder));
        Assert.Equal((Now + Window, (ushort)7000, true), (peer.LastSeen, peer.Port, seeder));
    }

    [Fact]
    public void APlainReannounceIsAnsweredFromTheSwarmAndLeavesTheRecordAsStored()
    {
        Announce(Peers.Announce(2, left: 0));
        Announce(Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100));

        var again = Announce(Peers.Announce(1, uploaded: 900), Now + Window - 1);

        Assert.Equal(AnnounceStatus.Ok, again.Status);
        Assert.Equal(PeerChange.Unchanged, again.Change);
        Assert.Equal(new SwarmCounts(1, 1, 0), again.Counts);
        Assert.Equal(1, again.PeerCount);
        Assert.Equal(0, again.UploadedDelta);
        Assert.True(_swarm.TryGet(Peers.Id(1), out var peer, out _));
        Assert.Equal(Now, peer.LastSeen);

        // An open tracker keeps no counters (nothing is accounted), so they are no reason to write.
        Assert.Equal(0, peer.Uploaded);
    }

    [Fact]
    public void WhatAnAnswerFromTheSwarmReportedIsCountedAtTheNextStoredAnnounce()
    {
        Enforced(Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100, downloaded: 10) with { Accounted = true });
        Assert.Equal(0, Enforced(Peers.Announce(1, uploaded: 400, downloaded: 20) with { Accounted = true }, Now + 60).UploadedDelta);

        var stored = Enforced(Peers.Announce(1, uploaded: 700, downloaded: 30) with { Accounted = true }, Now + Window);

        Assert.Equal(PeerChange.Updated, stored.Change);
        Assert.Equal(600, stored.UploadedDelta);
        Assert.Equal(20, stored.DownloadedDelta);
        Assert.True(_swarm.TryGet(Peers.Id(1), out var peer, out _));
        Assert.Equal(Now + Window, peer.LastSeen);
    }

    [Theory]
    [InlineData(PeerEvent.Started)]
    [InlineData(PeerEvent.Completed)]
    [InlineData(PeerEvent.Stopped)]
    public void EventsAreAlwaysProcessed(PeerEvent @event)
    {
        Announce(Peers.Announce(1, left: 5));

        var result = Announce(Peers.Announce(1, left: @event == PeerEvent.Completed ? 0 : 5, @event: @event), Now + 1);

        Assert.Equal(@event == PeerEvent.Stopped ? PeerChange.Removed : PeerChange.Updated, result.Change);
        Assert.Equal(@event == PeerEvent.Completed ? 1 : 0, _swarm.Downloaded);
    }

    [Fact]
    public void ACompletedInsideTheWindowIsCountedOnceWhateverComesAround()
    {
        Announce(Peers.Announce(1, left: 5));
        Announce(Peers.Announce(1, left: 5), Now + 1);
        Announce(Peers.Announce(1, left: 0, @event: PeerEvent.Completed), Now + 2);
        Announce(Peers.Announce(1, left: 0), Now + 3);
        Announce(Peers.Announce(1, left: 0, @event: PeerEvent.Completed), Now + 4);

        Assert.Equal(1, _swarm.Downloaded);
        Assert.Equal(1, _swarm.SeederCount);
    }

    [Fact]
    public void AChangeOfAddressPortStateOrKeyIsStored()
    {
        Announce(Peers.Announce(1, left: 5));
        Assert.Equal(PeerChange.Updated, Announce(Peers.Announce(1, left: 5, address: Peers.V4(50)), Now + 1).Change);
        Assert.Equal(PeerChange.Updated, Announce(Peers.Announce(1, left: 5, address: Peers.V4(50), port: 7000), Now + 2).Change);
        Assert.Equal(PeerChange.Updated, Announce(Peers.Announce(1, left: 0, address: Peers.V4(50), port: 7000), Now + 3).Change);
        Assert.Equal(PeerChange.Updated, Announce(Peers.Announce(1, left: 0, address: Peers.V4(50), port: 7000, key: 9, hasKey: true), Now + 4).Change);
        Assert.Equal(PeerChange.Unchanged, Announce(Peers.Announce(1, left: 0, address: Peers.V4(50), port: 7000, key: 9, hasKey: true), Now + 5).Change);
        Assert.Equal(PeerChange.Unchanged, Announce(Peers.Announce(1, left: 0, address: Peers.V4(50), port: 7000), Now + 6).Change);
    }

    [Fact]
    public void AnAccountedReannounceIsStoredWhenItsCountersMoved()
    {
        Announce(Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100) with { Accounted = true });

        var moved = Announce(Peers.Announce(1, uploaded: 900) with { Accounted = true }, Now + 1);
        var same = Announce(Peers.Announce(1, uploaded: 900) with { Accounted = true }, Now + 2);

        Assert.Equal(PeerChange.Updated, moved.Change);
        Assert.Equal(800, moved.UploadedDelta);
        Assert.Equal(PeerChange.Unchanged, same.Change);
        Assert.Equal(0, same.UploadedDelta);
    }

    [Fact]
    public void AReannounceAfterTheWindowIsStoredAgain()
    {
        Announce(Peers.Announce(1));
        var later = Announce(Peers.Announce(1), Now + Window);
        Assert.Equal(PeerChange.Updated, later.Change);
        Assert.True(_swarm.TryGet(Peers.Id(1), out var peer, out _));
        Assert.Equal(Now + Window, peer.LastSeen);
    }

    [Fact]
    public void APeerLearnedFromAnotherRegionIsStoredWhenItAnnouncesHere()
    {
        _swarm.Put(new PeerRecord { Id = Peers.Id(1), Address = Peers.V4(1), Port = 6881, LastSeen = Now, Flags = PeerFlags.Remote }, seeder: false);

        Assert.Equal(PeerChange.Updated, Announce(Peers.Announce(1), Now + 1).Change);
        Assert.Equal(PeerChange.Unchanged, Announce(Peers.Announce(1), Now + 2).Change);
    }

    [Fact]
    public void TheWindowNeverOutlastsHalfThePeerTtl()
    {
        var settings = new SwarmSettings { MinIntervalSeconds = 3000, PeerTtlSeconds = 2700 };
        Assert.Equal(1350, settings.RewriteWindowSeconds);
        Assert.Equal(900, new SwarmSettings().RewriteWindowSeconds);
    }
}
