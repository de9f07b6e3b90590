using System.Text.RegularExpressions;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>The same requests to the listener of one tracker and to Kestrel (fast path off) of another get the same bytes
/// back (the Date header aside): the listener answers through the same core, head writer and failure bodies.</summary>
public sealed partial class WhenComparedWithKestrelOnTheListener : IAsyncLifetime
{
    private RunningTracker _listener = null!;
    private RunningTracker _kestrel = null!;

    public async Task InitializeAsync()
    {
        // No interval jitter, and swarms small enough that every answer is fully determined.
        _listener = await ListenerTrackers.StartAsync(Settings());
        _kestrel = await RunningTracker.StartAsync(KestrelOnly(Settings()), ipv6: false);
    }

    public async Task DisposeAsync()
    {
        await _listener.DisposeAsync();
        await _kestrel.DisposeAsync();
    }

    public static TheoryData<string> Requests()
    {
        var hash = Hash(511);
        const string Close = "Host: tracker\r\nConnection: close\r\n";
        return new(
        [
            Get(AnnounceUrl(hash, 1, port: 7001, left: 0), Close),
            Get(AnnounceUrl(hash, 2, port: 7002, left: 9, extra: "&compact=0"), Close),
            Get(AnnounceUrl(hash, 3, port: 7003, left: 0, extra: "&event=completed&numwant=1"), Close),
            Get(AnnounceUrl(hash, 4, port: 7004, left: 5, extra: "&numwant=0"), "Connection: close\r\n", "HTTP/1.0"),
            Get(ScrapeUrl(hash, Hash(512), hash), Close),
            Get(ScrapeUrl(), Close + "Accept-Encoding: gzip;q=0.5, identity\r\n"),
            Get("/announce", Close),
            Get("/announce?info_hash=%zz", Close),
            Get($"/announce?info_hash={Encode(hash)}&peer_id={Encode(PeerId(7))}&port=99999&left=0", Close),
            Get(AnnounceUrl(hash, 8, extra: "&numwant=0") + "&pad=" + new string('x', 9000), Close),
            Get("/announce/0123456789abcdef0123456789abcdef" + AnnounceUrl(hash, 9, port: 7009, extra: "&numwant=0")[9..], Close),
        ]);
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task AnswersAreTheSameBytes(string request)
    {
        // A swarm with a peer in it first, so announces get peers back.
        var seed = Get(AnnounceUrl(Hash(511), 20, port: 7020, left: 0), "Host: tracker\r\nConnection: close\r\n");
        await ListenerTrackers.ExchangeAsync(_listener.ListenerUri(), seed);
        await ListenerTrackers.ExchangeAsync(_kestrel.BaseV4, seed);

        var listener = await ListenerTrackers.ExchangeAsync(_listener.ListenerUri(), request);
        var kestrel = await ListenerTrackers.ExchangeAsync(_kestrel.BaseV4, request);
        Assert.Equal(Normalize(kestrel.Bytes), Normalize(listener.Bytes));
        Assert.Equal(2, _listener.ListenerCounters().Served);
        Assert.Equal(0, _kestrel.ListenerCounters().Accepted);
    }

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Tracker:Http:FastPath"] = "false",
        ["Tracker:Swarm:IntervalJitterSeconds"] = "0",
    };

    private static string Normalize(byte[] response) =>
        DateHeader().Replace(System.Text.Encoding.Latin1.GetString(response), "Date: (now)");

    [GeneratedRegex("Date: [^\r]*")]
    private static partial Regex DateHeader();
}
