using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>The self-hosted server as a user starts it, with no listener settings: the tracker listener owns the server's
/// ports, answers announces that close their connection, and hands Kestrel everything else on the same port. Every test
/// checks both sides' counters, so none can pass with only one of them serving.</summary>
public sealed class WhenSharingTheServerPorts : IAsyncLifetime
{
    private const string Close = "Host: tracker\r\nConnection: close\r\n";

    private RunningTracker _tracker = null!;

    public async Task InitializeAsync() => _tracker = await RunningTracker.StartAsync();

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    [Fact]
    public async Task AnAnnounceThatClosesItsConnectionIsTheListeners()
    {
        var hash = Hash(531);
        await ListenerTrackers.ExchangeAsync(_tracker.BaseV4, Get(AnnounceUrl(hash, 1, port: 7001, left: 5), Close));
        var answer = await ListenerTrackers.ExchangeAsync(_tracker.BaseV4, Get(AnnounceUrl(hash, 2, port: 7002, left: 0), "Connection: close\r\n", "HTTP/1.0"));

        Assert.Equal(200, answer.Status);
        Assert.Equal("close", answer.Header("Connection"));
        Assert.Equal(["127.0.0.1:7001"], answer.Bencode().Peers4());
        Assert.Equal((2L, 0L), (_tracker.ListenerCounters().Served, _tracker.ListenerCounters().HandedOff));
        Assert.Equal(0, _tracker.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task AKeptAliveClientIsKestrelsForAllItsRequests()
    {
        var hash = Hash(532);
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        for (var peer = 1; peer <= 3; peer++)
        {
            await connection.SendAsync(Get(AnnounceUrl(hash, peer, port: 7000 + peer, left: 1)));
            var answer = await connection.ReadResponseAsync();
            Assert.Equal(200, answer.Status);
            Assert.Equal(peer - 1, answer.Bencode().Peers4().Count);
        }

        Assert.False(await connection.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)));
        Assert.Equal((0L, 1L), (_tracker.ListenerCounters().Served, _tracker.ListenerCounters().HandedOff));
        Assert.Equal(3, _tracker.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task StatsAndOtherPathsAreKestrelsOnTheSamePort()
    {
        var hash = Hash(533);
        await ListenerTrackers.ExchangeAsync(_tracker.BaseV4, Get(AnnounceUrl(hash, 1, left: 0), Close));

        // HttpClient keeps its connection: both requests reach Kestrel's endpoints through the hand-off.
        using var stats = await _tracker.Client.GetAsync(new Uri("/stats.json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        var closed = await ListenerTrackers.ExchangeAsync(_tracker.BaseV4, Get("/stats.json", Close));
        Assert.Equal(200, closed.Status);
        Assert.StartsWith("{", System.Text.Encoding.UTF8.GetString(closed.Body), StringComparison.Ordinal);
        Assert.Equal(1, _tracker.ListenerCounters().Served);
        Assert.True(_tracker.ListenerCounters().HandedOff >= 2);
    }

    [Fact]
    public async Task AHeadInPiecesIsStillAnsweredWhoeverTakesIt()
    {
        var hash = Hash(534);
        var close = Get(AnnounceUrl(hash, 1, port: 7001, left: 0), Close);
        var keepAlive = Get(AnnounceUrl(hash, 2, port: 7002, left: 4));
        foreach (var request in new[] { close, keepAlive })
        {
            await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
            await connection.SendAsync(request[..20]);
            await Task.Delay(50);
            await connection.SendAsync(request[20..]);
            Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
        }

        // The first was answered by the listener's slow path, the second read there and handed to Kestrel with its bytes.
        Assert.Equal((1L, 1L), (_tracker.ListenerCounters().Served, _tracker.ListenerCounters().HandedOff));
        Assert.Equal(1, _tracker.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task TheIpv6PortIsSharedToo()
    {
        Assert.NotNull(_tracker.BaseV6);
        var answer = await ListenerTrackers.ExchangeAsync(_tracker.BaseV6!, Get(AnnounceUrl(Hash(535), 1, port: 7001, left: 0), Close));
        Assert.Equal(200, answer.Status);
        Assert.Equal(IPAddress.IPv6Loopback.GetAddressBytes(), answer.Bencode()["external ip"]!.Bytes);
        Assert.Equal(1, _tracker.ListenerCounters().Served);
    }

    [Fact]
    public async Task TurnedOffKestrelHasThePortsAlone()
    {
        await using var tracker = await RunningTracker.StartAsync(KestrelOnly(), ipv6: false);
        var answer = await ListenerTrackers.ExchangeAsync(tracker.BaseV4, Get(AnnounceUrl(Hash(536), 1, left: 0), Close));
        Assert.Equal(200, answer.Status);
        Assert.Equal(0, tracker.ListenerCounters().Accepted);
        Assert.Equal(1, tracker.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task StoppingFreesThePorts()
    {
        var tracker = await RunningTracker.StartAsync(ipv6: false);
        var port = tracker.BaseV4.Port;
        await ListenerTrackers.ExchangeAsync(tracker.BaseV4, Get(AnnounceUrl(Hash(537), 1, left: 0), Close));
        await tracker.DisposeAsync();

        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        again.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        again.Bind(new IPEndPoint(IPAddress.Loopback, port));
        again.Listen();
    }
}
