using System.Diagnostics;
using System.Text.RegularExpressions;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.FastPath;

/// <summary>The per-address rate limit on the fast path: the same budget, refusal and counts as the rate limiter middleware in
/// front of Kestrel, and one budget for both (a client cannot double it by mixing requests the fast path hands to Kestrel).</summary>
public sealed partial class WhenClientsExceedTheirBudgetOnTheFastPath
{
    private const string Refused = "too many requests from your address; slow down";

    private static Dictionary<string, string?> Budget(int burst, bool fastPath = true) => new()
    {
        ["Tracker:RateLimit:RequestsPerSecond"] = "1",
        ["Tracker:RateLimit:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Tracker:RateLimit:RetryInSeconds"] = "120",
        ["Tracker:Http:FastPath"] = fastPath ? "true" : "false",
    };

    [Fact]
    public async Task AnAddressOverItsBudgetIsRefusedOnTheFastPath()
    {
        await using var tracker = await RunningTracker.StartAsync(Budget(3), RunningTracker.FrozenClock, ipv6: false);
        var hash = Hash(341);
        var answers = new List<RawResponse>();
        for (var i = 0; i < 7; i++)
        {
            // A new connection per announce, as clients of a self-hosted tracker do.
            answers.Add(await SendAsync(tracker, Get(i % 2 == 0 ? AnnounceUrl(hash, i, port: 7000 + i, left: 1) : ScrapeUrl(hash))));
        }

        Assert.All(answers, a => Assert.Equal(200, a.Status));
        Assert.All(answers.Take(3), a => Assert.Null(a.Bencode().Failure()));
        var refused = answers.Skip(3).Where(a => a.Bencode().Failure() is not null).ToList();
        Assert.True(refused.Count >= 3, $"{refused.Count} of 4 over-budget requests refused");
        Assert.All(refused, a =>
        {
            Assert.Equal(Refused, a.Bencode().Failure());
            Assert.Equal(2, a.Bencode()["retry in"]!.Integer);
            Assert.Equal(120, a.Bencode()["interval"]!.Integer);
            Assert.Equal("text/plain", a.Header("Content-Type"));
        });

        // Every request was answered on the fast path; refusals are counted as failures (rate_limited), not as announces or scrapes.
        var counters = tracker.Service<FastPathCounters>();
        Assert.Equal(7, counters.Served);
        Assert.Equal(0, counters.HandedOff);
        var counted = tracker.Service<TrackerMetrics>().Snapshot();
        Assert.Equal(refused.Count, counted.Failures);
        Assert.Equal(7 - refused.Count, counted.HttpAnnounces + counted.HttpScrapes);
    }

    [Fact]
    public async Task OneBudgetCoversRequestsOnTheFastPathAndThroughKestrel()
    {
        const int burst = 4;
        await using var tracker = await RunningTracker.StartAsync(Budget(burst), RunningTracker.FrozenClock, ipv6: false);
        var hash = Hash(342);
        var clock = Stopwatch.StartNew();
        var fast = new List<bool>();
        var kestrel = new List<bool>();
        for (var i = 0; i < 12; i++)
        {
            // "/Announce" (not lower case) is handed to Kestrel, whose case-insensitive route serves it behind the middleware.
            var onFastPath = i % 2 == 0;
            var url = AnnounceUrl(hash, i, port: 7000 + i, left: 1);
            var answer = await SendAsync(tracker, Get(onFastPath ? url : "/Announce" + url["/announce".Length..]));
            (onFastPath ? fast : kestrel).Add(answer.Bencode().Failure() is null);
        }

        var elapsed = clock.Elapsed;
        var counters = tracker.Service<FastPathCounters>();
        Assert.Equal(6, counters.Served);
        Assert.Equal(6, counters.HandedOff);

        // One shared bucket lets the burst through plus what it earns back (1 a second); a bucket per transport would let 8 through.
        var allowed = fast.Count(a => a) + kestrel.Count(a => a);
        Assert.InRange(allowed, burst, burst + (int)elapsed.TotalSeconds + 1);
        Assert.True(allowed < 2 * burst || elapsed > TimeSpan.FromSeconds(3), $"{allowed} allowed in {elapsed}: the transports have separate budgets");
        Assert.Equal([true, true], fast.Take(2));
        Assert.Equal([true, true], kestrel.Take(2));
        if (elapsed < TimeSpan.FromSeconds(3))
        {
            Assert.Contains(false, fast);
            Assert.Contains(false, kestrel);
        }

        var counted = tracker.Service<TrackerMetrics>().Snapshot();
        Assert.Equal(12 - allowed, counted.Failures);
        Assert.Equal(allowed, counted.HttpAnnounces);
    }

    [Fact]
    public async Task ARefusalIsTheSameBytesOnBothTransports()
    {
        await using var fast = await RunningTracker.StartAsync(Budget(1), RunningTracker.FrozenClock, ipv6: false);
        await using var kestrel = await RunningTracker.StartAsync(Budget(1, fastPath: false), RunningTracker.FrozenClock, ipv6: false);
        var request = Get(AnnounceUrl(Hash(343), 1, left: 1));
        await SendAsync(fast, request);
        await SendAsync(kestrel, request);

        var fromFast = await SendAsync(fast, request);
        var fromKestrel = await SendAsync(kestrel, request);
        Assert.Equal(Refused, fromFast.Bencode().Failure());
        Assert.Equal(Normalize(fromKestrel.Bytes), Normalize(fromFast.Bytes));
        Assert.Equal(2, fast.Service<FastPathCounters>().Served);
        Assert.Equal(0, kestrel.Service<FastPathCounters>().Served);
    }

    [Fact]
    public async Task BudgetsFollowTheClientNamedByATrustedProxyOnTheFastPath()
    {
        var settings = Budget(2);
        settings["Tracker:Network:TrustedProxies:0"] = "127.0.0.1";
        await using var tracker = await RunningTracker.StartAsync(settings, RunningTracker.FrozenClock, ipv6: false);
        var hash = Hash(344);
        await using var connection = await RawConnection.OpenAsync(tracker.BaseV4);
        for (var client = 1; client <= 3; client++)
        {
            var headers = $"Host: tracker\r\nX-Forwarded-For: 203.0.113.{client}\r\n";
            for (var i = 0; i < 2; i++)
            {
                await connection.SendAsync(Get(AnnounceUrl(hash, client, port: 7000 + client, left: 1), headers));
                Assert.Null((await connection.ReadResponseAsync()).Bencode().Failure());
            }

            await connection.SendAsync(Get(AnnounceUrl(hash, client, left: 1), headers));
            Assert.Equal(Refused, (await connection.ReadResponseAsync()).Bencode().Failure());
        }

        Assert.Equal(9, tracker.Service<FastPathCounters>().Served);
    }

    private static async Task<RawResponse> SendAsync(RunningTracker tracker, string request)
    {
        await using var connection = await RawConnection.OpenAsync(tracker.BaseV4);
        await connection.SendAsync(request);
        return await connection.ReadResponseAsync();
    }

    private static string Normalize(byte[] response) =>
        DateHeader().Replace(System.Text.Encoding.Latin1.GetString(response), "Date: (now)");

    [GeneratedRegex("Date: [^\r]*")]
    private static partial Regex DateHeader();
}
