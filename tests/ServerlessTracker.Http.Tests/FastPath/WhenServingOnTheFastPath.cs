using Microsoft.AspNetCore.Hosting;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.FastPath;

/// <summary>The connection fast path over raw sockets: keep-alive, pipelining, HTTP/1.0, close, hand-off to Kestrel, split
/// and oversized requests, slow clients. Every test checks the fast path's counters, so none can pass on Kestrel alone.</summary>
public sealed class WhenServingOnTheFastPath : IAsyncLifetime
{
    private RunningTracker _tracker = null!;

    /// <summary>Kestrel alone on the server's ports: the tracker listener, which takes them by default on Linux, stays off
    /// so that these tests see Kestrel's connection fast path (Listener/WhenSharingTheServerPorts covers both together).</summary>
    internal static Dictionary<string, string?> KestrelOnly(Dictionary<string, string?>? settings = null)
    {
        settings ??= [];
        settings["Tracker:Listener:OnServerPorts"] = "false";
        return settings;
    }

    public async Task InitializeAsync() => _tracker = await RunningTracker.StartAsync(KestrelOnly(), ipv6: false);

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private FastPathCounters Counters => _tracker.Service<FastPathCounters>();

    internal static string Get(string target, string headers = "Host: tracker\r\n", string version = "HTTP/1.1") =>
        $"GET {target} {version}\r\n{headers}\r\n";

    [Fact]
    public async Task KeepAliveServesSeveralAnnouncesOnOneConnection()
    {
        var hash = Hash(301);
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        for (var peer = 1; peer <= 3; peer++)
        {
            await connection.SendAsync(Get(AnnounceUrl(hash, peer, port: 7000 + peer, left: 1)));
            var answer = await connection.ReadResponseAsync();
            Assert.Equal(200, answer.Status);
            Assert.Null(answer.Header("Connection"));
            Assert.Equal("text/plain", answer.Header("Content-Type"));
            Assert.Equal(peer - 1, answer.Bencode().Peers4().Count);
        }

        Assert.Equal(3, Counters.Served);
        Assert.Equal(0, Counters.HandedOff);
        Assert.False(await connection.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)));
    }

    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrder()
    {
        var hash = Hash(302);
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(
            Get(AnnounceUrl(hash, 1, port: 7001, left: 0)) +
            Get(AnnounceUrl(hash, 2, port: 7002, left: 5)) +
            Get(ScrapeUrl(hash)) +
            Get("/announce?info_hash=short"));

        Assert.Empty((await connection.ReadResponseAsync()).Bencode().Peers4());
        Assert.Equal(["127.0.0.1:7001"], (await connection.ReadResponseAsync()).Bencode().Peers4());
        var file = (await connection.ReadResponseAsync()).Bencode()["files"]!.Find(hash)!;
        Assert.Equal((1L, 1L), (file["complete"]!.Integer, file["incomplete"]!.Integer));
        Assert.Contains("info_hash", (await connection.ReadResponseAsync()).Bencode().Failure());
        Assert.Equal(4, Counters.Served);
    }

    [Fact]
    public async Task Http10ClosesUnlessAskedToKeepAlive()
    {
        await using (var connection = await RawConnection.OpenAsync(_tracker.BaseV4))
        {
            await connection.SendAsync(Get(AnnounceUrl(Hash(303), 1), headers: "", version: "HTTP/1.0"));
            var answer = await connection.ReadResponseAsync();
            Assert.StartsWith("HTTP/1.1 200 OK", answer.Head);
            Assert.Equal("close", answer.Header("Connection"));
            Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        }

        await using (var connection = await RawConnection.OpenAsync(_tracker.BaseV4))
        {
            for (var i = 0; i < 2; i++)
            {
                await connection.SendAsync(Get(AnnounceUrl(Hash(303), 2), headers: "Connection: keep-alive\r\n", version: "HTTP/1.0"));
                Assert.Equal("keep-alive", (await connection.ReadResponseAsync()).Header("Connection"));
            }

            Assert.False(await connection.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)));
        }

        Assert.Equal(3, Counters.Served);
    }

    [Fact]
    public async Task ConnectionCloseEndsTheConnectionAfterTheAnswer()
    {
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(Get(AnnounceUrl(Hash(304), 1), "Host: tracker\r\nConnection: keep-alive, close\r\n") + Get(AnnounceUrl(Hash(304), 2)));
        var answer = await connection.ReadResponseAsync();
        Assert.Equal("close", answer.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(1, Counters.Served);
    }

    [Fact]
    public async Task ARequestItDoesNotServeGoesToKestrelWithTheRestOfTheConnection()
    {
        var hash = Hash(305);
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(Get(AnnounceUrl(hash, 1, port: 7001)));
        await connection.ReadResponseAsync();

        // Pipelined: a tracker GET, then a request only Kestrel serves, then tracker requests that Kestrel now answers.
        await connection.SendAsync(
            Get(AnnounceUrl(hash, 2, port: 7002)) +
            Get("/") +
            "POST /announce HTTP/1.1\r\nHost: tracker\r\nContent-Length: 3\r\n\r\nabc" +
            Get(AnnounceUrl(hash, 3, port: 7003, left: 1)));
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
        Assert.Contains("announce at /announce", System.Text.Encoding.ASCII.GetString((await connection.ReadResponseAsync()).Body));
        Assert.Contains("method not allowed", (await connection.ReadResponseAsync()).Bencode().Failure());
        Assert.Equal(2, (await connection.ReadResponseAsync()).Bencode().Peers4().Count);

        Assert.Equal(2, Counters.Served);
        Assert.Equal(1, Counters.HandedOff);
    }

    [Fact]
    public async Task ARequestSplitIntoSmallSegmentsIsReassembled()
    {
        var hash = Hash(306);
        var request = System.Text.Encoding.ASCII.GetBytes(Get(AnnounceUrl(hash, 1, port: 7001)) + Get(AnnounceUrl(hash, 2, port: 7002, left: 1)));
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        foreach (var chunk in request.Chunk(7))
        {
            await connection.SendAsync(chunk);
            await Task.Delay(2); // each chunk its own TCP segment, read by the server on its own
        }

        Assert.Empty((await connection.ReadResponseAsync()).Bencode().Peers4());
        Assert.Equal(["127.0.0.1:7001"], (await connection.ReadResponseAsync()).Bencode().Peers4());
        Assert.Equal(2, Counters.Served);
        Assert.Equal(0, Counters.HandedOff);
    }

    [Theory]
    [InlineData("header block over MaxRequestHeadersTotalSize", 431)]
    [InlineData("request line over MaxRequestLineSize", 414)]
    public async Task OversizedRequestsGetKestrelsRefusal(string what, int status)
    {
        var request = what.StartsWith("header")
            ? Get(AnnounceUrl(Hash(307), 1), $"Host: tracker\r\nX-Pad: {new string('a', 33 * 1024)}\r\n")
            : Get(AnnounceUrl(Hash(307), 1) + "&pad=" + new string('a', 18 * 1024));
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(request);
        Assert.Equal(status, (await connection.ReadResponseAsync()).Status);
        Assert.Equal(0, Counters.Served);
        Assert.Equal(1, Counters.HandedOff);
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 })]
    [InlineData(new byte[] { (byte)'P', (byte)'R', (byte)'I', (byte)' ', (byte)'*', (byte)' ', (byte)'H', (byte)'T', (byte)'T', (byte)'P', (byte)'/', (byte)'2' })]
    public async Task TlsAndHttp2PrefacesGoToKestrelAtOnce(byte[] start)
    {
        await using var connection = await RawConnection.OpenAsync(_tracker.BaseV4);
        await connection.SendAsync(start);
        await WaitUntil(() => Counters.HandedOff == 1);
        Assert.Equal(0, Counters.Served);
    }

    [Fact]
    public async Task ForwardedHeadersAreReadFromTrustedProxies()
    {
        await using var tracker = await RunningTracker.StartAsync(KestrelOnly(new() { ["Tracker:Network:TrustedProxies:0"] = "127.0.0.0/8" }), ipv6: false);
        var hash = Hash(308);
        await using var connection = await RawConnection.OpenAsync(tracker.BaseV4);
        await connection.SendAsync(
            Get(AnnounceUrl(hash, 1, port: 7001), "Host: tracker\r\nX-Forwarded-For: 198.51.100.4\r\nx-forwarded-for: 203.0.113.9, 127.0.0.2\r\n") +
            Get(AnnounceUrl(hash, 2, port: 7002), "Host: tracker\r\nCLIENT-IP: 203.0.113.10:50000\r\nX-Forwarded-For: 198.51.100.5\r\n") +
            Get(AnnounceUrl(hash, 3, left: 1)));
        await connection.ReadResponseAsync();
        await connection.ReadResponseAsync();
        var answer = (await connection.ReadResponseAsync()).Bencode();
        // Self-hosted, client-ip is not the platform's: only X-Forwarded-For counts unless the operator names a header.
        Assert.Equal(["198.51.100.5:7002", "203.0.113.9:7001"], answer.Peers4().Order());
        Assert.Equal(3, tracker.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task StoppingTheServerClosesIdleConnectionsPromptly()
    {
        var tracker = await RunningTracker.StartAsync(KestrelOnly(), ipv6: false);
        await using var connection = await RawConnection.OpenAsync(tracker.BaseV4);
        await connection.SendAsync(Get(AnnounceUrl(Hash(311), 1)));
        await connection.ReadResponseAsync();

        // Kestrel waits up to the host's shutdown timeout (30 s) for connections to end; an idle one ends at the next heartbeat.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var closed = connection.IsClosedByServerAsync(TimeSpan.FromSeconds(20));
        await tracker.DisposeAsync();
        Assert.True(await closed);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(condition());
    }
}
