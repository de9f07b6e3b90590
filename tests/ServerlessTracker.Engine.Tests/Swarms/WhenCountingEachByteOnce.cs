using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

/// <summary>Accounting deltas are taken against what is known of the peer's session, never against nothing.</summary>
public class WhenCountingEachByteOnce
{
    private const uint Now = 1_800_000_000;
    private readonly Swarm _swarm = new();
    // Every announce here is taken as it comes (min interval not enforced): these tests are about other rules.
    private readonly SwarmSettings _settings = new() { RememberStops = true, EnforceMinInterval = false };
    private readonly Random _random = new(7);

    private AnnounceResult Announce(AnnounceCommand command, uint now = Now)
    {
        var result = new AnnounceResult(_settings.MaxNumWant);
        _swarm.Announce(command with { Accounted = true }, now, _settings, _random, result);
        return result;
    }

    [Fact]
    public void AnUnknownPeerIsCreditedNothingUnlessItStarts()
    {
        // Unknown: its session may have been credited elsewhere (another region, a purged row); only 'started' says it is new.
        var unknown = Announce(Peers.Announce(1, uploaded: 5000, downloaded: 7000));
        var started = Announce(Peers.Announce(2, @event: PeerEvent.Started, uploaded: 30, downloaded: 40));
        var next = Announce(Peers.Announce(1, uploaded: 5100, downloaded: 7300), Now + 1);

        Assert.Equal((0L, 0L), (unknown.UploadedDelta, unknown.DownloadedDelta));
        Assert.Equal(PeerChange.Added, unknown.Change);
        Assert.Equal((30L, 40L), (started.UploadedDelta, started.DownloadedDelta));
        Assert.Equal((100L, 300L), (next.UploadedDelta, next.DownloadedDelta));
    }

    [Fact]
    public void APeerThatGoesOnAfterItsStopIsCreditedFromTheStop()
    {
        Announce(Peers.Announce(1, @event: PeerEvent.Started));
        Announce(Peers.Announce(1, uploaded: 100, downloaded: 10), Now + 1);
        var stopped = Announce(Peers.Announce(1, @event: PeerEvent.Stopped, uploaded: 150, downloaded: 20), Now + 2);
        var goesOn = Announce(Peers.Announce(1, uploaded: 200, downloaded: 25), Now + 3);
        var restarts = Announce(Peers.Announce(1, @event: PeerEvent.Started, uploaded: 7, downloaded: 8), Now + 4);

        Assert.Equal((50L, 10L), (stopped.UploadedDelta, stopped.DownloadedDelta));
        Assert.Equal((50L, 5L), (goesOn.UploadedDelta, goesOn.DownloadedDelta));
        Assert.Equal((7L, 8L), (restarts.UploadedDelta, restarts.DownloadedDelta));
    }

    [Fact]
    public void AStopForAPeerTheSwarmDoesNotHoldLeavesNoTombstone()
    {
        // Nothing to verify the stop against (no key, no address): it must not block the peer's own replicated announce.
        var stop = Announce(Peers.Announce(1, @event: PeerEvent.Stopped), Now);
        var applied = _swarm.ApplyRemote(new PeerUpdate(Peers.Torrent, Peers.Id(1), Peers.V4(1), 6881, ReplicatedPeerState.Leecher, false, (Now - 5) * 1000L, 0, 0), 0);

        Assert.Equal(PeerChange.None, stop.Change);
        Assert.True(applied);
        Assert.Equal(0, _swarm.TombstoneCount);
        Assert.Equal(1, _swarm.PeerCount);
    }
}
