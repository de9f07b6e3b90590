using System.Net;
using ServerlessTracker.Engine.Limits;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Limits;

/// <summary>Per-address budgets on announce and scrape: over budget is a bencoded refusal (HTTP 200), never a store write.</summary>
/// <remarks>Standalone these requests take the connection fast path; <c>FastPath.WhenClientsFloodTheTrackerThroughKestrel</c>
/// runs them again through Kestrel's HTTP pipeline and the rate limiter middleware.</remarks>
public class WhenClientsFloodTheTracker
{
    /// <summary>Settings added to every tracker these tests start.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    private Dictionary<string, string?> Budget(int burst, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>(Settings)
        {
            ["Tracker:RateLimit:RequestsPerSecond"] = "1",
            ["Tracker:RateLimit:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Tracker:RateLimit:RetryInSeconds"] = "120",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task AnAddressOverItsBudgetIsToldToSlowDownAndNothingIsStored()
    {
        await using var tracker = await RunningTracker.StartAsync(Budget(5), configure: RunningTracker.FrozenClock);
        var hash = Hash(500);
        var answers = new List<Protocol.Bencode.BencodeValue>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, i, port: 7000 + i, left: 1)));
        }

        // The burst is served; past it, refusals (a token may be earned back in the meantime on a slow machine).
        Assert.All(answers.Take(5), a => Assert.Null(a.Failure()));
        var refused = answers.Skip(5).Where(a => a.Failure() is not null).ToList();
        Assert.True(refused.Count >= 2, $"{refused.Count} of 3 over-budget announces refused");
        Assert.All(refused, a =>
        {
            Assert.Equal("too many requests from your address; slow down", a.Failure());
            Assert.Equal(2, a["retry in"]!.Integer);
            Assert.Equal(120, a["interval"]!.Integer);
            Assert.Null(a["peers"]);
        });

        // Another address (IPv6 loopback) has a budget of its own and sees only the announces that were let through.
        using var v6 = new HttpClient { BaseAddress = tracker.BaseV6 };
        var seen = await v6.GetBencodeAsync(AnnounceUrl(hash, 99, left: 1));
        Assert.Null(seen.Failure());
        Assert.Equal(8 - refused.Count + 1, seen["incomplete"]!.Integer);

        // Scrape draws on the same budget (a token may have been earned back meanwhile); the root probe never does.
        var scrapes = new List<string?>();
        for (var i = 0; i < 4; i++)
        {
            scrapes.Add((await tracker.Client.GetBencodeAsync(ScrapeUrl(hash))).Failure());
        }

        Assert.Contains("too many requests from your address; slow down", scrapes);
        using var root = await tracker.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);

        // Which transport answered: the fast path standalone, Kestrel's pipeline when it is switched off.
        Assert.Equal(Settings.ContainsKey("Tracker:Http:FastPath"), tracker.Service<ServerlessTracker.Http.FastPath.FastPathCounters>().Served == 0);
    }

    [Fact]
    public async Task BudgetsFollowTheClientAddressNamedByATrustedProxy()
    {
        await using var tracker = await RunningTracker.StartAsync(Budget(2, ("Tracker:Network:TrustedProxies:0", "127.0.0.1")), RunningTracker.FrozenClock, ipv6: false);
        var hash = Hash(501);
        for (var client = 1; client <= 4; client++)
        {
            for (var i = 0; i < 2; i++)
            {
                var answer = await Announce(tracker, AnnounceUrl(hash, client, port: 7000 + client, left: 1), $"203.0.113.{client}");
                Assert.Null(answer.Failure());
            }

            Assert.NotNull((await Announce(tracker, AnnounceUrl(hash, client, left: 1), $"203.0.113.{client}")).Failure());
        }
    }

    [Fact]
    public async Task ZeroRequestsPerSecondSwitchesTheLimitOff()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>(Settings) { ["Tracker:RateLimit:RequestsPerSecond"] = "0", ["Tracker:RateLimit:Burst"] = "1" }, ipv6: false);
        for (var i = 0; i < 20; i++)
        {
            Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(502), i, left: 1))).Failure());
        }
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7", true)]
    [InlineData("192.0.2.7", "192.0.2.8", false)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7", true)]
    public void IPv6AddressesOfOneNetworkShareABudget(string a, string b, bool same)
    {
        var budgets = new AddressBudgets(new AddressBudgetSettings(1, 1, 1, 64), TimeProvider.System);
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(IPAddress.Parse(a)));
        Assert.Equal(same, budgets.Take(IPAddress.Parse(b)) != BudgetVerdict.Allowed);
    }

    private static async Task<Protocol.Bencode.BencodeValue> Announce(RunningTracker tracker, string url, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await tracker.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Protocol.Bencode.BencodeDecoder.Decode(await response.Content.ReadAsByteArrayAsync());
    }
}
