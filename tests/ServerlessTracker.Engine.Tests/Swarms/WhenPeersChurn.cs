using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Swarms;

/// <summary>The swarm's packed lists and open-addressing index under churn: whatever the order of adds, moves between
/// seeders and leechers, removals and expiry, every peer is found with what was stored for it (counters included) and no
/// removed peer is found.</summary>
public class WhenPeersChurn
{
    private const uint Now = 1_800_000_000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EveryPeerIsFoundWithWhatWasStoredAndNoOtherIs(int seed)
    {
        var random = new Random(seed);
        var swarm = new Swarm();
        var model = new Dictionary<int, (PeerRecord Peer, bool Seeder)>();
        for (var step = 0; step < 30_000; step++)
        {
            // Grow for a while, then shrink, then grow again: the lists and the index resize both ways.
            var phase = step / 10_000;
            var id = random.Next(phase == 1 ? 300 : 3000);
            var roll = random.Next(10);
            if (phase == 1 ? roll < 6 : roll < 2)
            {
                Assert.Equal(model.Remove(id), swarm.Remove(Peers.Id(id)));
                continue;
            }

            var accounted = random.Next(3) == 0;
            var peer = new PeerRecord
            {
                Id = Peers.Id(id),
                Address = Peers.V4(random.Next(1, 1000)),
                Port = (ushort)random.Next(1, 65536),
                LastSeen = Now + (uint)random.Next(100),
                Key = (uint)random.Next(),
                Uploaded = accounted ? random.Next(1, 1_000_000) : 0,
                Downloaded = accounted ? random.Next(1, 1_000_000) : 0,
                Owner = accounted ? (uint)random.Next(1, 50) : 0,
            };
            var seeder = random.Next(2) == 0;
            swarm.Put(peer, seeder);
            model[id] = (peer, seeder);
        }

        Assert.Equal(model.Count, swarm.PeerCount);
        Assert.Equal(model.Count(p => p.Value.Seeder), swarm.SeederCount);
        for (var id = 0; id < 3000; id++)
        {
            var found = swarm.TryGet(Peers.Id(id), out var peer, out var seeder);
            Assert.Equal(model.TryGetValue(id, out var expected), found);
            if (found)
            {
                Assert.Equal(expected, (peer, seeder));
            }
        }

        // Expiry removes exactly the peers last seen before the cutoff, and leaves the rest findable.
        var cutoff = Now + 50;
        Assert.Equal(model.Count(p => p.Value.Peer.LastSeen < cutoff), swarm.RemoveExpired(cutoff));
        foreach (var (id, (peer, _)) in model)
        {
            Assert.Equal(peer.LastSeen >= cutoff, swarm.TryGet(Peers.Id(id), out _, out _));
        }
    }

    [Fact]
    public void AnOpenTrackersPeerCostsItsEntryAndNoCounters()
    {
        var open = new Swarm();
        var accounted = new Swarm();
        var settings = new SwarmSettings { MaxPeersPerSwarm = 0, MaxPeersPerPasskey = 0 };
        var result = new AnnounceResult(settings.MaxNumWant);
        for (var i = 0; i < 1000; i++)
        {
            var command = Peers.Announce(i, @event: PeerEvent.Started, uploaded: 1000, downloaded: 1000);
            open.Announce(command, Now, settings, new Random(1), result);
            accounted.Announce(command with { Accounted = true, Owner = 7 }, Now, settings, new Random(1), result);
            result.Reset();
        }

        // Entries of 48 bytes with little slack, an index of 4-byte cells: under 64 bytes a peer; counters only where kept.
        Assert.InRange(open.ApproximateBytes, 48 * 1000, 64 * 1000);
        Assert.True(open.TryGet(Peers.Id(5), out var peer, out _));
        Assert.Equal((0L, 0L, 0u), (peer.Uploaded, peer.Downloaded, peer.Owner));
        Assert.True(accounted.TryGet(Peers.Id(5), out peer, out _));
        Assert.Equal((1000L, 1000L, 7u), (peer.Uploaded, peer.Downloaded, peer.Owner));
        Assert.InRange(accounted.ApproximateBytes - open.ApproximateBytes, 20 * 1000, 20 * 1125);
    }
}
