using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

public class WhenAnnouncingToASwarm
{
    private const uint Now = 1_800_000_000;
    private readonly Swarm _swarm = new();
    // Every announce here is taken as it comes (min interval not enforced): these tests are about other rules.
    private readonly SwarmSettings _settings = new() { EnforceMinInterval = false };
    private readonly Random _random = new(7);

    private AnnounceResult Announce(AnnounceCommand command, uint now = Now)
    {
        var result = new AnnounceResult(_settings.MaxNumWant);
        _swarm.Announce(command, now, _settings, _random, result);
        return result;
    }

    private static HashSet<PeerAddress> Addresses(AnnounceResult result)
    {
        var set = new HashSet<PeerAddress>();
        for (var o = 0; o < result.Peers4.Length; o += 6)
        {
            set.Add(PeerAddress.FromBytes(result.Peers4.Slice(o, 4)));
        }

        for (var o = 0; o < result.Peers6.Length; o += 18)
        {
            set.Add(PeerAddress.FromBytes(result.Peers6.Slice(o, 16)));
        }

        return set;
    }

    [Fact]
    public void APeerNeverGetsItself()
    {
        var result = Announce(Peers.Announce(1));
        Assert.Equal(PeerChange.Added, result.Change);
        Assert.Equal(0, result.PeerCount);
        Assert.Equal(new SwarmCounts(0, 1, 0), result.Counts);
    }

    [Fact]
    public void LeechersGetSeedersAndLeechers()
    {
        Announce(Peers.Announce(1, left: 0));
        Announce(Peers.Announce(2, left: 5));
        var result = Announce(Peers.Announce(3, left: 5));
        Assert.Equal([Peers.V4(1), Peers.V4(2)], Addresses(result).OrderBy(a => a.ToString()));
        Assert.Equal(new SwarmCounts(1, 2, 0), result.Counts);
    }

    [Fact]
    public void SeedersAreNotSentOtherSeeders()
    {
        Announce(Peers.Announce(1, left: 0));
        Announce(Peers.Announce(2, left: 5));
        var result = Announce(Peers.Announce(3, left: 0));
        Assert.Equal([Peers.V4(2)], Addresses(result));
    }

    [Fact]
    public void PeersComeAsCompactBytesPerFamily()
    {
        Announce(Peers.Announce(1, address: Peers.V6(1), port: 0x1AE1));
        var result = Announce(Peers.Announce(2));
        Assert.Equal(0, result.Peers4Count);
        Assert.Equal(1, result.Peers6Count);
        Assert.Equal([0x1A, 0xE1], result.Peers6[16..].ToArray());
        Assert.Equal(Peers.Id(1).ToArray(), result.PeerIds6.ToArray());
    }

    [Fact]
    public void PeerIdsAreKeptOnlyWhenTheAnswerNamesThem()
    {
        Announce(Peers.Announce(1));
        Announce(Peers.Announce(2, address: Peers.V6(2)));
        var result = new AnnounceResult(_settings.MaxNumWant) { KeepsPeerIds = false };
        _swarm.Announce(Peers.Announce(3), Now, _settings, _random, result);

        Assert.Equal((1, 1), (result.Peers4Count, result.Peers6Count));
        Assert.True(result.PeerIds4.IsEmpty);
        Assert.True(result.PeerIds6.IsEmpty);

        // A pooled result reused for a dictionary answer keeps them again, whatever it held before.
        result.KeepsPeerIds = true;
        result.Reset();
        _swarm.Announce(Peers.Announce(3), Now, _settings, _random, result);
        Assert.Equal(2 * PeerId.Length, result.PeerIds4.Length + result.PeerIds6.Length);
    }

    [Fact]
    public void FamilyFilterKeepsOnlyUsablePeers()
    {
        Announce(Peers.Announce(1, address: Peers.V6(1)));
        Announce(Peers.Announce(2));
        var result = Announce(Peers.Announce(3, families: AddressFamilies.IPv4));
        Assert.Equal([Peers.V4(2)], Addresses(result));
    }

    [Fact]
    public void NumWantIsHonouredAndCapped()
    {
        for (var i = 0; i < 300; i++)
        {
            Announce(Peers.Announce(i));
        }

        Assert.Equal(10, Announce(Peers.Announce(1000, numWant: 10)).PeerCount);
        Assert.Equal(_settings.DefaultNumWant, Announce(Peers.Announce(1001)).PeerCount);
        Assert.Equal(_settings.MaxNumWant, Announce(Peers.Announce(1002, numWant: 100_000)).PeerCount);
        Assert.Equal(0, Announce(Peers.Announce(1003, numWant: 0)).PeerCount);
    }

    [Fact]
    public void SelectionIsRandomAcrossTheWholeSwarm()
    {
        for (var i = 0; i < 1000; i++)
        {
            Announce(Peers.Announce(i));
        }

        var seen = new HashSet<PeerAddress>();
        for (var round = 0; round < 100; round++)
        {
            seen.UnionWith(Addresses(Announce(Peers.Announce(5000, numWant: 50))));
        }

        // 100 samples of 50 from 1000 reach almost every peer when the sample is spread; a contiguous window would not.
        Assert.True(seen.Count > 950, $"only {seen.Count} distinct peers seen");
    }

    [Fact]
    public void ASampleNamesEachPeerOnceWhateverTheSwarmsSize()
    {
        // Sizes around the selection's blocks of eight: a last block cut short, one or two blocks, wrapping.
        int[] sizes = [1, 2, 3, 7, 8, 9, 15, 16, 17, 23, 24, 25, 49, 50, 51, 63, 64, 65, 100, 257, 1003];
        foreach (var leechers in sizes)
        {
            var swarm = new Swarm();
            var random = new Random(leechers);
            var seeders = leechers / 3;
            for (var i = 0; i < leechers + seeders; i++)
            {
                swarm.Announce(Peers.Announce(i, left: i < leechers ? 100 : 0), Now, _settings, random, new AnnounceResult(_settings.MaxNumWant));
            }

            for (var round = 0; round < 20; round++)
            {
                var leecher = new AnnounceResult(_settings.MaxNumWant);
                swarm.Announce(Peers.Announce(10_000 + round, numWant: 50), Now, _settings, random, leecher);
                var seeder = new AnnounceResult(_settings.MaxNumWant);
                swarm.Announce(Peers.Announce(20_000 + round, left: 0, numWant: 50), Now, _settings, random, seeder);

                // The earlier rounds' askers stay in the swarm: a leecher gets them too, a seeder only the leechers.
                Assert.Equal(Math.Min(50, leechers + seeders + (2 * round)), leecher.PeerCount);
                Assert.Equal(leecher.PeerCount, Addresses(leecher).Count);
                Assert.Equal(Math.Min(50, leechers + round + 1), seeder.PeerCount);
                Assert.Equal(seeder.PeerCount, Addresses(seeder).Count);
            }
        }
    }

    [Fact]
    public void EveryPeerIsAsLikelyToBeOffered()
    {
        const int Size = 1003;
        const int Rounds = 2000;
        for (var i = 0; i < Size; i++)
        {
            Announce(Peers.Announce(i));
        }

        var offered = new Dictionary<PeerAddress, int>();
        for (var round = 0; round < Rounds; round++)
        {
            foreach (var address in Addresses(Announce(Peers.Announce(5000, numWant: 50))))
            {
                offered[address] = offered.GetValueOrDefault(address) + 1;
            }
        }

        // Each peer is in a sample with probability 50/1003: about 100 times in 2,000 samples, a standard deviation near 10.
        Assert.Equal(Size, offered.Count);
        Assert.InRange(offered.Values.Min(), 60, 100);
        Assert.InRange(offered.Values.Max(), 100, 140);
    }

    [Fact]
    public void StoppedRemovesThePeer()
    {
        Announce(Peers.Announce(1));
        var result = Announce(Peers.Announce(1, @event: PeerEvent.Stopped));
        Assert.Equal(PeerChange.Removed, result.Change);
        Assert.Equal(0, _swarm.PeerCount);
        Assert.Equal(0, Announce(Peers.Announce(2)).PeerCount);
    }

    [Fact]
    public void StoppedFromAnUnknownPeerChangesNothing()
    {
        var result = Announce(Peers.Announce(1, @event: PeerEvent.Stopped));
        Assert.Equal(PeerChange.None, result.Change);
        Assert.Equal(0, _swarm.PeerCount);
    }

    [Fact]
    public void CompletedCountsOncePerPeer()
    {
        Announce(Peers.Announce(1, left: 10, @event: PeerEvent.Started));
        var first = Announce(Peers.Announce(1, left: 0, @event: PeerEvent.Completed));
        var again = Announce(Peers.Announce(1, left: 0, @event: PeerEvent.Completed));
        Assert.True(first.CountedCompletion);
        Assert.False(again.CountedCompletion);
        Assert.Equal(new SwarmCounts(1, 0, 1), again.Counts);
    }

    [Fact]
    public void BecomingASeederMovesThePeer()
    {
        Announce(Peers.Announce(1, left: 10));
        var result = Announce(Peers.Announce(1, left: 0));
        Assert.Equal(new SwarmCounts(1, 0, 0), result.Counts);
        Assert.True(_swarm.TryGet(Peers.Id(1), out _, out var seeder));
        Assert.True(seeder);
    }

    [Fact]
    public void AKeyedPeerCannotBeTakenOverFromAnotherAddressWithoutTheKey()
    {
        Announce(Peers.Announce(1, key: 0xABCD, hasKey: true));
        var hijack = Announce(Peers.Announce(1, @event: PeerEvent.Stopped, address: Peers.V4(99)));
        Assert.Equal(AnnounceStatus.KeyMismatch, hijack.Status);
        Assert.Equal(1, _swarm.PeerCount);

        var moved = Announce(Peers.Announce(1, address: Peers.V4(99), key: 0xABCD, hasKey: true));
        Assert.Equal(AnnounceStatus.Ok, moved.Status);
        Assert.True(_swarm.TryGet(Peers.Id(1), out var peer, out _));
        Assert.Equal(Peers.V4(99), peer.Address);
    }

    [Fact]
    public void DeltasFollowTheSessionCounters()
    {
        // Announces a window apart, as clients that respect min interval send them; accounted, as in private mode (an open
        // tracker keeps no counters).
        var window = (uint)_settings.RewriteWindowSeconds;
        Assert.Equal(100, Announce(Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100, downloaded: 10) with { Accounted = true }).UploadedDelta);
        var next = Announce(Peers.Announce(1, uploaded: 250, downloaded: 40) with { Accounted = true }, Now + window);
        Assert.Equal(150, next.UploadedDelta);
        Assert.Equal(30, next.DownloadedDelta);
        var restarted = Announce(Peers.Announce(1, uploaded: 5, downloaded: 5) with { Accounted = true }, Now + (2 * window));
        Assert.Equal(5, restarted.UploadedDelta);
        var stopped = Announce(Peers.Announce(1, @event: PeerEvent.Stopped, uploaded: 7, downloaded: 9) with { Accounted = true }, Now + (2 * window) + 1);
        Assert.Equal(2, stopped.UploadedDelta);
        Assert.Equal(4, stopped.DownloadedDelta);
    }

    [Fact]
    public void ExpiredPeersAreNeitherReturnedNorKept()
    {
        Announce(Peers.Announce(1), Now);
        Announce(Peers.Announce(2), Now + 2000);
        var later = Now + (uint)_settings.PeerTtlSeconds + 10;
        Assert.Equal([Peers.V4(2)], Addresses(Announce(Peers.Announce(3), later)));
        Assert.Equal(1, _swarm.RemoveExpired(later - (uint)_settings.PeerTtlSeconds));
        Assert.Equal(2, _swarm.PeerCount);
    }

    [Fact]
    public void IndexStaysConsistentUnderChurn()
    {
        var random = new Random(3);
        var live = new Dictionary<int, bool>();
        for (var step = 0; step < 20_000; step++)
        {
            var n = random.Next(200);
            var kind = random.Next(4);
            if (kind == 0)
            {
                Announce(Peers.Announce(n, @event: PeerEvent.Stopped));
                live.Remove(n);
            }
            else
            {
                var seeder = kind == 1;
                Announce(Peers.Announce(n, left: seeder ? 0 : 5));
                live[n] = seeder;
            }
        }

        Assert.Equal(live.Count, _swarm.PeerCount);
        Assert.Equal(live.Count(p => p.Value), _swarm.SeederCount);
        foreach (var (n, seeder) in live)
        {
            Assert.True(_swarm.TryGet(Peers.Id(n), out var peer, out var isSeeder));
            Assert.Equal(seeder, isSeeder);
            Assert.Equal(Peers.Id(n), peer.Id);
        }
    }
}
