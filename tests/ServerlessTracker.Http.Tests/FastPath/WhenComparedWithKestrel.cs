using System.Text.RegularExpressions;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.FastPath;

/// <summary>The same requests to a tracker with the fast path and one without get the same bytes back (the Date header aside).</summary>
public sealed partial class WhenComparedWithKestrel : IAsyncLifetime
{
    private RunningTracker _fast = null!;
    private RunningTracker _kestrel = null!;

    public async Task InitializeAsync()
    {
        // No interval jitter, and swarms small enough that every answer is fully determined.
        _fast = await RunningTracker.StartAsync(Settings(fastPath: true), ipv6: false);
        _kestrel = await RunningTracker.StartAsync(Settings(fastPath: false), ipv6: false);
    }

    public async Task DisposeAsync()
    {
        await _fast.DisposeAsync();
        await _kestrel.DisposeAsync();
    }

    public static TheoryData<string> Requests() => new(RequestList());

    private static string[] RequestList()
    {
        var hash = Hash(331);
        return
        [
            Get(AnnounceUrl(hash, 1, port: 7001, left: 0)),
            Get(AnnounceUrl(hash, 2, port: 7002, left: 9, extra: "&compact=0")),
            Get(AnnounceUrl(hash, 3, port: 7003, left: 0, extra: "&event=completed&numwant=1")),
            Get(AnnounceUrl(hash, 4, port: 7004, left: 5, extra: "&compact=0&no_peer_id=1&numwant=0"), "Host: tracker\r\nConnection: close\r\n"),
            Get(AnnounceUrl(hash, 5, port: 7005, left: 5, extra: "&numwant=0"), "", "HTTP/1.0"),
            Get(AnnounceUrl(hash, 6, port: 7006, left: 5, extra: "&numwant=0"), "Connection: keep-alive\r\n", "HTTP/1.0"),
            Get(ScrapeUrl(hash, Hash(332), hash)),
            Get(ScrapeUrl(), "Host: tracker\r\nAccept-Encoding: gzip;q=0.5, identity\r\n"),
            Get(ScrapeUrl(), "Host: tracker\r\nAccept-Encoding: gzip;q=0\r\n"),
            Get("/scrape/0123456789abcdef0123456789abcdef" + ScrapeUrl(hash)[7..]),
            Get("/announce"),
            Get("/announce?info_hash=%zz"),
            Get($"/announce?info_hash={Encode(hash)}&peer_id={Encode(PeerId(7))}&port=99999&left=0"),
            Get(AnnounceUrl(hash, 8, extra: "&numwant=0") + "&pad=" + new string('x', 9000)),
            Get("/announce/0123456789abcdef0123456789abcdef" + AnnounceUrl(hash, 9, port: 7009, extra: "&numwant=0")[9..]),
        ];
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task AnswersAreTheSameBytes(string request)
    {
        var fast = await SendAsync(_fast, request);
        var kestrel = await SendAsync(_kestrel, request);
        Assert.Equal(Normalize(kestrel), Normalize(fast));
        Assert.Equal(1, _fast.Service<FastPathCounters>().Served);
        Assert.Equal(0, _kestrel.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task ASequenceOfRequestsOnOneConnectionGetsTheSameBytes()
    {
        var kept = RequestList().Where(r => !r.Contains("Connection: close") && !r.Contains("HTTP/1.0\r\n\r\n")).ToArray();
        Assert.Equal(RequestList().Length - 2, kept.Length);
        var all = string.Concat(kept);
        var count = kept.Length;
        await using var fast = await RawConnection.OpenAsync(_fast.BaseV4);
        await using var kestrel = await RawConnection.OpenAsync(_kestrel.BaseV4);
        await fast.SendAsync(all);
        await kestrel.SendAsync(all);
        for (var i = 0; i < count; i++)
        {
            Assert.Equal(Normalize((await kestrel.ReadResponseAsync()).Bytes), Normalize((await fast.ReadResponseAsync()).Bytes));
        }

        Assert.Equal(count, _fast.Service<FastPathCounters>().Served);
    }

    private static Dictionary<string, string?> Settings(bool fastPath) => WhenServingOnTheFastPath.KestrelOnly(new()
    {
        ["Tracker:Http:FastPath"] = fastPath ? "true" : "false",
        ["Tracker:Swarm:IntervalJitterSeconds"] = "0",
    });

    private static async Task<byte[]> SendAsync(RunningTracker tracker, string request)
    {
        await using var connection = await RawConnection.OpenAsync(tracker.BaseV4);
        await connection.SendAsync(request);
        return (await connection.ReadResponseAsync()).Bytes;
    }

    private static string Normalize(byte[] response) =>
        DateHeader().Replace(System.Text.Encoding.Latin1.GetString(response), "Date: (now)");

    [GeneratedRegex("Date: [^\r]*")]
    private static partial Regex DateHeader();
}
