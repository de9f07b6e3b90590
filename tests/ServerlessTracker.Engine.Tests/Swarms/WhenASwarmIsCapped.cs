using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

/// <summary>The caps a swarm holds to: peers in all, and peers of one passkey.</summary>
public class WhenASwarmIsCapped
{
    private const uint Now = 1_800_000_000;
    private readonly Swarm _swarm = new();
    private readonly Random _random = new(7);

    private AnnounceResult Announce(AnnounceCommand command, SwarmSettings settings, uint now = Now, long peersHeld = -1)
    {
        var result = new AnnounceResult(settings.MaxNumWant);
        _swarm.Announce(command, now, settings, _random, result, peersHeld);
        return result;
    }

    [Fact]
    public void AFullSwarmRefusesNewPeersAndServesItsOwn()
    {
        var settings = new SwarmSettings { MaxPeersPerSwarm = 2 };
        Announce(Peers.Announce(1), settings);
        Announce(Peers.Announce(2, left: 0), settings);

        var refused = Announce(Peers.Announce(3), settings);
        Assert.Equal(AnnounceStatus.SwarmFull, refused.Status);
        Assert.Equal(PeerChange.None, refused.Change);
        Assert.Equal(0, refused.PeerCount);
        Assert.Equal(new SwarmCounts(1, 1, 0), refused.Counts);
        Assert.False(_swarm.TryGet(Peers.Id(3), out _, out _));

        Assert.Equal(AnnounceStatus.Ok, Announce(Peers.Announce(1), settings, Now + 1000).Status);
        Assert.Equal(PeerChange.Removed, Announce(Peers.Announce(2, @event: PeerEvent.Stopped), settings, Now + 1).Change);
        Assert.Equal(PeerChange.Added, Announce(Peers.Announce(3), settings, Now + 2).Change);
    }

    [Fact]
    public void AWindowOfALargeSwarmIsHeldToTheSwarmsCountedSize()
    {
        var settings = new SwarmSettings { MaxPeersPerSwarm = 100 };
        Announce(Peers.Announce(1), settings);
        Assert.Equal(AnnounceStatus.SwarmFull, Announce(Peers.Announce(2), settings, peersHeld: 100).Status);
        Assert.Equal(AnnounceStatus.Ok, Announce(Peers.Announce(2), settings, peersHeld: 99).Status);
    }

    [Fact]
    public void APasskeyHasAtMostItsPeersInTheSwarmAndOthersAreNotCounted()
    {
        var settings = new SwarmSettings();
        for (var peer = 1; peer <= 3; peer++)
        {
            Assert.Equal(PeerChange.Added, Announce(Peers.Announce(peer) with { Owner = 77 }, settings).Change);
        }

        Assert.Equal(AnnounceStatus.PasskeyPeerLimit, Announce(Peers.Announce(4) with { Owner = 77 }, settings).Status);
        Assert.Equal(AnnounceStatus.Ok, Announce(Peers.Announce(4) with { Owner = 78 }, settings, Now + 1).Status);
        Assert.Equal(AnnounceStatus.Ok, Announce(Peers.Announce(5), settings, Now + 1).Status);
        Assert.Equal(3, _swarm.CountOwned(77, Now));
        // A peer of the passkey that expired frees its place.
        var later = Now + (uint)settings.PeerTtlSeconds + 1;
        Announce(Peers.Announce(1) with { Owner = 77 }, settings, later);
        Assert.Equal(AnnounceStatus.Ok, Announce(Peers.Announce(6) with { Owner = 77 }, settings, later).Status);
    }

    [Fact]
    public void ZeroMeansNoCap()
    {
        var settings = new SwarmSettings { MaxPeersPerSwarm = 0, MaxPeersPerPasskey = 0 };
        for (var peer = 1; peer <= 10; peer++)
        {
            Assert.Equal(AnnounceStatus.Ok, Announce(Peers.Announce(peer) with { Owner = 5 }, settings).Status);
        }
    }
}
