using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Limits;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Tests.Shared;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Limits;

/// <summary>Budgets that a client cannot refill by changing its address: an IPv6 site shares one aggregate budget over its
/// /64 networks, a new address starts with a few tokens (not the whole burst), a scrape pays per info-hash, and the
/// budget table has a fixed size whatever the number of addresses.</summary>
public sealed class WhenAddressesRotate
{
    private static Dictionary<string, string?> Budget(int burst, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tracker:RateLimit:RequestsPerSecond"] = "1",
            ["Tracker:RateLimit:Burst"] = burst.ToString(CultureInfo.InvariantCulture),
            ["Tracker:Network:TrustedProxies:0"] = "127.0.0.1",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task AnIPv6SiteRotatingItsNetworksDrawsOnOneAggregateBudget()
    {
        // Each /64 may send 4 at once; the /48 around them twice that, whichever /64 sends.
        await using var tracker = await RunningTracker.StartAsync(
            Budget(4, ("Tracker:RateLimit:IPv6AggregateMultiple", "2"), ("Tracker:RateLimit:InitialTokens", "4")), ipv6: false);
        var served = 0;
        for (var network = 1; network <= 10; network++)
        {
            for (var i = 0; i < 4; i++)
            {
                var answer = await Send(tracker, AnnounceUrl(Hash(520), (network * 10) + i, left: 1), $"2001:db8:7:{network:x}::{i + 1}");
                served += answer.Failure() is null ? 1 : 0;
            }
        }

        // 8 from the aggregate's burst, and at most a few earned back while the 40 requests ran.
        Assert.InRange(served, 8, 12);

        // Another /48 has a budget of its own.
        Assert.Null((await Send(tracker, AnnounceUrl(Hash(520), 999, left: 1), "2001:db8:8:1::1")).Failure());
    }

    [Fact]
    public async Task ANewAddressStartsWithItsInitialTokensNotTheWholeBurst()
    {
        await using var tracker = await RunningTracker.StartAsync(Budget(50, ("Tracker:RateLimit:InitialTokens", "3")), RunningTracker.FrozenClock, ipv6: false);
        var served = 0;
        for (var i = 0; i < 10; i++)
        {
            served += (await Send(tracker, AnnounceUrl(Hash(521), i, left: 1), "203.0.113.40")).Failure() is null ? 1 : 0;
        }

        Assert.InRange(served, 3, 5);
    }

    [Fact]
    public async Task AScrapePaysOneTokenPerInfoHashItNames()
    {
        await using var tracker = await RunningTracker.StartAsync(Budget(12), RunningTracker.FrozenClock, ipv6: false);
        byte[][] five = [Hash(1), Hash(2), Hash(3), Hash(4), Hash(5)];

        // 5 + 5 of 12 tokens: the next five-hash scrape is refused, a full scrape (one token) is not.
        Assert.Null((await Send(tracker, ScrapeUrl(five), "203.0.113.41")).Failure());
        Assert.Null((await Send(tracker, ScrapeUrl(five), "203.0.113.41")).Failure());
        Assert.Equal("too many requests from your address; slow down", (await Send(tracker, ScrapeUrl(five), "203.0.113.41")).Failure());
        Assert.Null((await Send(tracker, ScrapeUrl(), "203.0.113.41")).Failure());
    }

    [Fact]
    public void TheBudgetTableHasAFixedSizeWhateverTheNumberOfAddresses()
    {
        using var meter = new Meter("rotating-addresses");
        var limiter = new TrackerRateLimiter(Microsoft.Extensions.Options.Options.Create(new RateLimitOptions { RequestsPerSecond = 1, Burst = 3 }), new TrackerMetrics(meter));
        var addresses = new IPAddress[50_000];
        for (var i = 0; i < addresses.Length; i++)
        {
            addresses[i] = new IPAddress([10, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
        }

        limiter.TryAcquire(addresses[0]);

        // A partition per address (and a closure per lookup) would grow with every new address.
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            foreach (var address in addresses)
            {
                limiter.TryAcquire(address);
            }
        }));
    }

    private static async Task<Protocol.Bencode.BencodeValue> Send(RunningTracker tracker, string url, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await tracker.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Protocol.Bencode.BencodeDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
    }
}
