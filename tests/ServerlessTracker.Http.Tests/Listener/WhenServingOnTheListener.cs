using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>The tracker listener over raw sockets: announces, scrapes, other paths, heads in pieces, silent clients and
/// shutdown. Every test checks the listener's counters, so none can pass on Kestrel alone.</summary>
public sealed class WhenServingOnTheListener
{
    [Fact]
    public async Task AnAnnounceOnANewConnectionIsAnsweredAndClosed()
    {
        await using var tracker = await ListenerTrackers.StartAsync();
        var hash = Hash(501);
        await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), Get(AnnounceUrl(hash, 1, port: 7001, left: 5)));

        await using var connection = await RawConnection.OpenAsync(tracker.ListenerUri());
        await connection.SendAsync(Get(AnnounceUrl(hash, 2, port: 7002, left: 0)));
        var answer = await connection.ReadResponseAsync();
        Assert.Equal(200, answer.Status);
        Assert.Equal("close", answer.Header("Connection"));
        Assert.Equal("text/plain", answer.Header("Content-Type"));
        var body = answer.Bencode();
        Assert.Null(body.Failure());
        Assert.Equal(["127.0.0.1:7001"], body.Peers4());
        Assert.Equal(1, body["complete"]!.Integer);
        Assert.Equal(1, body["incomplete"]!.Integer);
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, body["external ip"]!.Bytes);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));

        var counters = tracker.ListenerCounters();
        Assert.Equal(2, counters.Served);
        Assert.Equal(2, counters.Accepted);
        Assert.Equal(0, tracker.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task AScrapeCountsWhatAnnouncesThroughKestrelStored()
    {
        await using var tracker = await ListenerTrackers.StartAsync();
        var hash = Hash(502);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, left: 0));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 7));

        var answer = await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), Get(ScrapeUrl(hash, Hash(503))));
        var files = answer.Bencode()["files"]!;
        var stats = files.Find(hash)!;
        Assert.Equal(1, stats["complete"]!.Integer);
        Assert.Equal(1, stats["incomplete"]!.Integer);
        Assert.Equal(0, files.Find(Hash(503))!["complete"]!.Integer);
        Assert.Equal(1, tracker.ListenerCounters().Served);
    }

    [Theory]
    [InlineData("GET /health HTTP/1.1\r\nHost: tracker\r\n\r\n", 404)]
    [InlineData("POST /announce HTTP/1.1\r\nHost: tracker\r\nContent-Length: 0\r\n\r\n", 400)]
    [InlineData("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", 400)]
    public async Task AnythingButATrackerRequestIsRefusedAndClosed(string request, int status)
    {
        await using var tracker = await ListenerTrackers.StartAsync();
        await using var connection = await RawConnection.OpenAsync(tracker.ListenerUri());
        await connection.SendAsync(request);
        var answer = await connection.ReadResponseAsync();
        Assert.Equal(status, answer.Status);
        Assert.Equal("0", answer.Header("Content-Length"));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, tracker.ListenerCounters().Rejected);
        Assert.Equal(0, tracker.ListenerCounters().Served);
    }

    [Fact]
    public async Task AHeadInTwoSegmentsIsAnsweredOnTheSlowPath()
    {
        await using var tracker = await ListenerTrackers.StartAsync();
        var request = Get(AnnounceUrl(Hash(504), 1, left: 3));
        await using var connection = await RawConnection.OpenAsync(tracker.ListenerUri());
        await connection.SendAsync(request[..40]);
        await WaitUntil(() => tracker.ListenerCounters().Slow == 1);
        await Task.Delay(200);
        await connection.SendAsync(request[40..]);
        var answer = await connection.ReadResponseAsync();
        Assert.Null(answer.Bencode().Failure());
        Assert.Equal(1, answer.Bencode()["incomplete"]!.Integer);
        Assert.Equal("close", answer.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, tracker.ListenerCounters().Served);
    }

    [Fact]
    public async Task ASilentClientIsClosedAfterTheHeadTimeout()
    {
        await using var tracker = await ListenerTrackers.StartAsync(new()
        {
            ["Tracker:Listener:DeferAcceptSeconds"] = "0",
            ["Tracker:Listener:HeadTimeoutSeconds"] = "2",
        });

        // Started before connecting: the server's timer starts later, so the close cannot come sooner than 2 s after this.
        var clock = Stopwatch.StartNew();
        await using var connection = await RawConnection.OpenAsync(tracker.ListenerUri());
        Assert.False(await connection.IsClosedByServerAsync(TimeSpan.FromMilliseconds(300)));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1.9), TimeSpan.FromSeconds(8));
        await WaitUntil(() => tracker.ListenerCounters().TimedOut == 1);
        Assert.Equal(0, tracker.ListenerCounters().Served);
    }

    [Fact]
    public async Task SlowConnectionsBeyondTheBoundAreClosedAtOnce()
    {
        await using var tracker = await ListenerTrackers.StartAsync(new()
        {
            ["Tracker:Listener:DeferAcceptSeconds"] = "0",
            ["Tracker:Listener:MaxSlowConnections"] = "1",

            // Room for the steps below on a busy machine: the first connection must still be waiting when it sends.
            ["Tracker:Listener:HeadTimeoutSeconds"] = "15",
        });
        var counters = tracker.ListenerCounters();
        await using var first = await RawConnection.OpenAsync(tracker.ListenerUri());
        await WaitUntil(() => counters.Slow == 1);
        await using var second = await RawConnection.OpenAsync(tracker.ListenerUri());
        Assert.True(await second.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, counters.Dropped);
        Assert.False(await first.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)));

        // The first still gets its answer.
        await first.SendAsync(Get(AnnounceUrl(Hash(506), 1, left: 1)));
        Assert.Null((await first.ReadResponseAsync()).Bencode().Failure());
        Assert.Equal(1, counters.Served);
    }

    [Fact]
    public async Task ShutdownClosesIdleConnectionsAtOnce()
    {
        var tracker = await ListenerTrackers.StartAsync(new() { ["Tracker:Listener:DeferAcceptSeconds"] = "0" });
        var uri = tracker.ListenerUri();
        var counters = tracker.ListenerCounters();
        var idle = new List<RawConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                idle.Add(await RawConnection.OpenAsync(uri));
            }

            await idle[2].SendAsync("GET /announce?info_hash=");
            await WaitUntil(() => counters.Slow == 3);
            var closed = idle.Select(c => c.IsClosedByServerAsync(TimeSpan.FromSeconds(20))).ToList();
            var clock = Stopwatch.StartNew();
            await tracker.DisposeAsync();
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            Assert.All(await Task.WhenAll(closed), Assert.True);
            Assert.Equal(0, counters.TimedOut);
        }
        finally
        {
            foreach (var connection in idle)
            {
                await connection.DisposeAsync();
            }
        }

        // The port is free again: nothing listens on it.
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await Assert.ThrowsAnyAsync<SocketException>(async () => await probe.ConnectAsync(uri.Host, uri.Port));
    }

    [Fact]
    public async Task DualStackServesIPv4AndIPv6Clients()
    {
        await using var tracker = await ListenerTrackers.StartAsync(address: "::");
        var hash = Hash(505);
        var v4 = (await ListenerTrackers.ExchangeAsync(tracker.ListenerUri("127.0.0.1"), Get(AnnounceUrl(hash, 1, left: 1)))).Bencode();
        var v6 = (await ListenerTrackers.ExchangeAsync(tracker.ListenerUri("[::1]"), Get(AnnounceUrl(hash, 2, left: 1)))).Bencode();
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, v4["external ip"]!.Bytes);
        Assert.Equal(System.Net.IPAddress.IPv6Loopback.GetAddressBytes(), v6["external ip"]!.Bytes);
        Assert.Equal(2, tracker.ListenerCounters().Served);
    }

    [Fact]
    public async Task AnAddressThatIsNoIPAddressFailsAtStart()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Listener:Port"] = "17999",
            ["Tracker:Listener:Address"] = "localhost",
        }, ipv6: false));
        Assert.Contains("Tracker:Listener:Address", error.Message);
    }

    [Fact]
    public async Task ItIsOffByDefault()
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);
        Assert.Equal(0, tracker.Service<ServerlessTracker.Http.Listener.TrackerListener>().Port);
    }
}
