using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.Tests.Shared;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The per-datagram path (verify, parse, engine, encode) allocates nothing once warm.</summary>
public sealed class WhenHandlingOnTheHotPath
{
    [Fact]
    public void AnnouncesScrapesConnectsAndRefusalsAllocateNothing()
    {
        var settings = new SwarmSettings();
        var store = new InMemorySwarmStore(settings, TimeProvider.System, new Random(7));
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var pool = new RequestContextPool(settings.MaxNumWant, AddressFamily.InterNetwork, 4);
        using var meter = new System.Diagnostics.Metrics.Meter("hot-path-test");
        using var handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(store, Engine.Policy.AnnouncePolicy.InMemory(TimeProvider.System), settings, new Engine.Diagnostics.TrackerMetrics(meter)), new ConnectionIds(new byte[32], 60, TimeProvider.System), pool, socket, _ => { }, CancellationToken.None);
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 6881).Serialize();
        var connect = new byte[16];
        ConnectRequest.Write(connect, 1);
        Assert.Equal(16, handler.Handle(connect, client, CancellationToken.None));
        ConnectResponse.TryRead(handler.Response, out _, out var id);

        var hashes = Enumerable.Range(0, 20).Select(_ => TestBytes.Twenty()).ToArray();
        var announces = Enumerable.Range(0, 400)
            .Select(i => UdpTrackerClient.AnnouncePacket(id, (uint)i, hashes[i % 20], TestBytes.Twenty(), (ushort)(7000 + i), left: i % 3, AnnounceEvent.None, numWant: 50))
            .ToArray();
        var scrape = new byte[16 + (20 * 20)];
        ScrapeRequestParser.Write(scrape, id, 9, hashes.SelectMany(h => h).ToArray());
        var badId = UdpTrackerClient.AnnouncePacket(id ^ 1, 3, hashes[0], TestBytes.Twenty(), 7000, 1);
        var garbage = new byte[20]; // shorter than an error packet: silence, whatever it says
        new Random(3).NextBytes(garbage);

        var lengths = new int[announces.Length + 4];
        void HandleAll()
        {
            // No assertion inside: the test framework's own helpers allocate.
            for (var i = 0; i < announces.Length; i++)
            {
                lengths[i] = handler.Handle(announces[i], client, CancellationToken.None);
            }

            lengths[^4] = handler.Handle(scrape, client, CancellationToken.None);
            lengths[^3] = handler.Handle(connect, client, CancellationToken.None);
            lengths[^2] = handler.Handle(badId, client, CancellationToken.None);
            lengths[^1] = handler.Handle(garbage, client, CancellationToken.None);
        }

        // Warm: swarms and their arrays reach their sizes, the JIT settles.
        for (var i = 0; i < 5; i++)
        {
            HandleAll();
        }

        var allocated = Allocations.Fewest(HandleAll);

        Assert.All(lengths[..^4], length => Assert.True(length >= AnnounceResponse.HeaderLength));
        Assert.Equal([ScrapeResponse.LengthOf(20), 16, 25, 0], lengths[^4..]);
        Assert.Equal(0, allocated);
    }
}
