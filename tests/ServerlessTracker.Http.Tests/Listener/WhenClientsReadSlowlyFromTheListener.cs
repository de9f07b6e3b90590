using System.Net;
using System.Net.Sockets;
using System.Text;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>An answer larger than the socket buffers, to a client that does not read it yet: the accept thread's one
/// non-blocking send cannot finish, so the rest goes out on the asynchronous path, whole.</summary>
public sealed class WhenClientsReadSlowlyFromTheListener
{
    /// <summary>About 68 bytes of full scrape per swarm, well over the largest send buffer the kernel may grow to
    /// (tcp_wmem's maximum: 4 MiB by default) plus the client's small receive buffer.</summary>
    private static readonly int Swarms = Math.Max(80_000, (int)Math.Min(int.MaxValue / 2, LargestSendBuffer() * 3 / 2 / 68));

    private static long LargestSendBuffer()
    {
        var fields = File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task AnAnswerTheClientDoesNotTakeAtOnceIsFinishedOnTheAsynchronousPath()
    {
        await using var tracker = await ListenerTrackers.StartAsync(new()
        {
            ["Tracker:RateLimit:RequestsPerSecond"] = "0",
            ["Tracker:Http:FullScrapeCacheSeconds"] = "3600",
        });
        var store = tracker.Service<ISwarmStore>();
        var result = new AnnounceResult(1);
        var address = PeerAddress.FromIPAddress(IPAddress.Parse("203.0.113.5"));
        var peer = Engine.Peers.PeerId.FromBytes(Announces.PeerId(1));
        for (var n = 0; n < Swarms; n++)
        {
            var command = new AnnounceCommand(InfoHash.FromBytes(Hash(10_000 + n)), peer, address, 6881, PeerEvent.Started, 0, 0, 5, 0, 0, false, AddressFamilies.Both);
            await store.AnnounceAsync(command, result, CancellationToken.None);
        }

        // A first full scrape fills the full-scrape cache, so the next one is answered at once from memory.
        var first = await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), "GET /scrape HTTP/1.1\r\nHost: tracker\r\n\r\n");
        Assert.Equal(Swarms, first.Bencode()["files"]!.Entries.Count);
        var counters = tracker.ListenerCounters();
        var slowBefore = counters.Slow;

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        var server = tracker.ListenerUri();
        await client.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
        await client.SendAsync(Encoding.ASCII.GetBytes("GET /scrape HTTP/1.1\r\nHost: tracker\r\n\r\n"));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (counters.Slow == slowBefore && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(slowBefore + 1, counters.Slow);
        using var received = new MemoryStream();
        var buffer = new byte[8192];
        int read;
        while ((read = await client.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        var bytes = received.ToArray();
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", Encoding.Latin1.GetString(bytes, 0, 17), StringComparison.Ordinal);
        var bodyStart = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        Assert.Equal(first.Body, bytes[bodyStart..]);
        Assert.Equal(0, counters.TimedOut);
    }
}
