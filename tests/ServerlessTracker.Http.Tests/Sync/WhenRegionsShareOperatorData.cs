using System.Net;
using System.Text;
using Azure.Messaging;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Wire;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Sync;

/// <summary>One private tracker over two regions: passkeys, their figures and the access lists made in one region hold in
/// the other, through the same sync as peers (at least once, any order).</summary>
public class WhenRegionsShareOperatorData : IAsyncLifetime
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(3);

    // Figures travel when the policy flushes (1 s here) and show when the other region refreshes (1 s here).
    private static readonly TimeSpan FiguresWithin = TimeSpan.FromSeconds(8);

    private TwoRegions _regions = null!;

    /// <summary>Store settings for a region: none (the in-memory stores) here; Table Storage in the derived class.</summary>
    protected virtual IDictionary<string, string?>? StoreFor(string region) => null;

    private RunningTracker East => _regions.East;

    private RunningTracker West => _regions.West;

    public async Task InitializeAsync() =>
        _regions = await TwoRegions.StartAsync(Settings(), storeFor: region => StoreFor(region) ?? new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _regions.DisposeAsync();

    private static Dictionary<string, string?> Settings(params (string Key, string? Value)[] more) => AdminApi.Settings(
        [("Tracker:Private:Enabled", "true"), ("Tracker:Policy:FlushSeconds", "1"), ("Tracker:Policy:RefreshSeconds", "1"),
            ("Tracker:Sync:OperatorResyncSeconds", "0"), .. more]);

    [Fact]
    public async Task APasskeyMadeInOneRegionIsServedInTheOtherAndItsRevocationIsRefusedThere()
    {
        var key = await East.Client.CreatePasskeyAsync("alice");
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(601), 1, left: 5))).Failure() is null, Within),
            "west never served east's passkey");
        Assert.Equal("alice", (await West.Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}"))["name"]!.GetValue<string>());

        await East.Client.OkAsync(HttpMethod.Delete, $"/admin/passkeys/{key}");
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(601), 1, left: 5))).Failure() == "passkey revoked", Within),
            "west still served a passkey revoked in east");

        // And the other way round.
        var other = await West.Client.CreatePasskeyAsync("bob");
        await West.Client.OkAsync(HttpMethod.Delete, $"/admin/passkeys/{other}");
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await East.Client.GetBencodeAsync(AdminApi.AnnounceUrl(other, Hash(602), 1, left: 5))).Failure() == "passkey revoked", Within));
    }

    [Fact]
    public async Task FiguresFromAnnouncesInBothRegionsAddUpWhenReadInEither()
    {
        var key = await East.Client.CreatePasskeyAsync("carol");
        Assert.True(await TwoRegions.EventuallyAsync(async () => (await West.Client.SendAsync(HttpMethod.Get, $"/admin/passkeys/{key}")).Status == HttpStatusCode.OK, Within));

        // Two announces of one session in east (the second its stop, so it is stored inside min interval), one in west:
        // 4100 + 70 up, 700 + 30 down.
        Assert.Null((await East.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(603), 1, uploaded: 4000, downloaded: 600, left: 50, extra: "&event=started"))).Failure());
        Assert.Null((await East.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(603), 1, uploaded: 4100, downloaded: 700, left: 40, extra: "&event=stopped"))).Failure());
        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(604), 2, uploaded: 70, downloaded: 30, left: 5, extra: "&event=started"))).Failure());

        foreach (var region in new[] { East, West })
        {
            Assert.True(await TwoRegions.EventuallyAsync(async () => await Figures(region, key) == (4170, 730), FiguresWithin),
                $"figures read in one region: {await Figures(region, key)}, expected (4170, 730)");
        }

        // Further flushes, refreshes and deliveries count nothing twice.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal((4170, 730), await Figures(East, key));
        Assert.Equal((4170, 730), await Figures(West, key));
    }

    [Fact]
    public async Task FactorsSetInOneRegionCreditAnnouncesInBothOnceAndExactly()
    {
        var key = await East.Client.CreatePasskeyAsync("erin");
        var hex = Convert.ToHexStringLower(Hash(621));
        await East.Client.OkAsync(HttpMethod.Post, "/admin/factors", new { hash = hex, upload = 200, download = 50, note = "event" }, HttpStatusCode.Created);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.OkAsync(HttpMethod.Get, "/admin/factors"))["factors"]!.AsArray().Count == 1
            && (await West.Client.SendAsync(HttpMethod.Get, $"/admin/passkeys/{key}")).Status == HttpStatusCode.OK, Within),
            "west never learned east's factors and passkey");
        Assert.Equal("event", (await West.Client.OkAsync(HttpMethod.Get, "/admin/factors"))["factors"]![0]!["note"]!.GetValue<string>());

        // East: 101 up, 333 down → 202 and 166 (plus half a byte it carries). West: 7 up, 5 down → 14 and 2 (and half a byte).
        // A figure factored again where it is received would show 404 or 83 in the region that did not take the announce.
        Assert.Null((await East.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(621), 1, uploaded: 101, downloaded: 333, left: 50, extra: "&event=started"))).Failure());
        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(621), 2, uploaded: 7, downloaded: 5, left: 50, extra: "&event=started"))).Failure());

        foreach (var region in new[] { East, West })
        {
            Assert.True(await TwoRegions.EventuallyAsync(async () => await Figures(region, key) == (216, 168), FiguresWithin),
                $"figures read in one region: {await Figures(region, key)}, expected (216, 168)");
        }

        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal((216, 168), await Figures(East, key));
        Assert.Equal((216, 168), await Figures(West, key));

        // Removed in west: east credits as transferred again.
        Assert.Equal(HttpStatusCode.NoContent, (await West.Client.SendAsync(HttpMethod.Delete, $"/admin/factors/{hex}")).Status);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await East.Client.OkAsync(HttpMethod.Get, "/admin/factors"))["factors"]!.AsArray().Count == 0, Within));
        Assert.Null((await East.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(621), 3, uploaded: 10, downloaded: 10, left: 50, extra: "&event=started"))).Failure());
        Assert.True(await TwoRegions.EventuallyAsync(async () => await Figures(West, key) == (226, 178), FiguresWithin),
            $"figures read in west: {await Figures(West, key)}, expected (226, 178)");
    }

    [Fact]
    public async Task AFactorSetDeliveredAfterItsRemovalDoesNotBringItBack()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var hex = Convert.ToHexStringLower(Hash(622));
        var set = new FactorChange(hex, hex, null, 0, null, null, null, DateTimeOffset.UtcNow, now, false);
        var removed = set with { Version = now + 1000, Removed = true };
        var other = set with { Hash = Convert.ToHexStringLower(Hash(623)), Given = Convert.ToHexStringLower(Hash(623)), Upload = 200 };
        var nonsense = set with { Hash = Convert.ToHexStringLower(Hash(624)), Given = Convert.ToHexStringLower(Hash(624)), Download = 5000 };

        await Deliver(West, "north", removed);
        await Deliver(West, "north", set, other, nonsense);
        await Deliver(West, "north", set);

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var factors = (await West.Client.OkAsync(HttpMethod.Get, "/admin/factors"))["factors"]!.AsArray();
        Assert.Equal([Convert.ToHexStringLower(Hash(623))], factors.Select(f => f!["infoHash"]!.GetValue<string>()));
        Assert.Equal(200, factors[0]!["upload"]!.GetValue<int>());
    }

    [Fact]
    public async Task ReplayedAndReorderedFiguresCountOnce()
    {
        var key = Passkey.Create();
        var first = UsageOrigin.Create("north");
        var second = UsageOrigin.Create("north");
        var created = DateTimeOffset.UtcNow.AddMinutes(-5);

        // Figures may even arrive before their passkey.
        await Deliver(West, "north", new UsageChange(key, first, 300, 30, 2));
        await Deliver(West, "north", new PasskeyChange(key, "dave", created, null));
        await Deliver(West, "north", new UsageChange(key, first, 100, 10, 1));
        await Deliver(West, "north", new UsageChange(key, first, 350, 35, 3), new UsageChange(key, first, 350, 35, 3), new UsageChange(key, second, 5, 5, 1));
        await Deliver(West, "north", new UsageChange(key, first, 300, 30, 2), new PasskeyChange(key, "dave", created, null));

        Assert.True(await TwoRegions.EventuallyAsync(async () => await Figures(West, key) == (355, 40), FiguresWithin),
            $"west counts {await Figures(West, key)}, expected (355, 40)");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal((355, 40), await Figures(West, key));
        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(605), 1, left: 5))).Failure());
    }

    [Fact]
    public async Task ListChangesReachTheOtherRegion()
    {
        var key = await West.Client.CreatePasskeyAsync();
        var hex = Convert.ToHexStringLower(Hash(606));
        await East.Client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hash = hex, note = "takedown" }, HttpStatusCode.Created);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(606), 1))).Failure() == "torrent not allowed on this tracker", Within));

        await East.Client.OkAsync(HttpMethod.Post, "/admin/ips", new { entry = "198.51.100.0/24", note = "customer 42" }, HttpStatusCode.Created);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.OkAsync(HttpMethod.Get, "/admin/ips"))["entries"]!.AsArray().Any(e => e!["entry"]!.GetValue<string>() == "198.51.100.0/24"), Within));

        Assert.Equal(HttpStatusCode.NoContent, (await East.Client.SendAsync(HttpMethod.Delete, $"/admin/infohashes/deny/{hex}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await East.Client.SendAsync(HttpMethod.Delete, "/admin/ips/198.51.100.0/24")).Status);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(606), 1))).Failure() is null, Within));
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.OkAsync(HttpMethod.Get, "/admin/ips"))["entries"]!.AsArray().Count == 0, Within));
    }

    [Fact]
    public async Task AnAddDeliveredAfterItsRemovalDoesNotBringTheEntryBack()
    {
        var key = await West.Client.CreatePasskeyAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var added = new InfoHashChange("deny", Convert.ToHexStringLower(Hash(607)), Convert.ToHexStringLower(Hash(607)), null, DateTimeOffset.UtcNow, now, false);
        var removed = added with { Version = now + 1000, Removed = true };
        var other = added with { Hash = Convert.ToHexStringLower(Hash(608)), Given = Convert.ToHexStringLower(Hash(608)) };

        await Deliver(West, "north", removed);
        await Deliver(West, "north", added, other);
        await Deliver(West, "north", added);

        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(607), 1))).Failure());
        Assert.Equal("torrent not allowed on this tracker", (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(608), 1))).Failure());

        // The region's other instances read the same from the store.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(607), 1))).Failure());
        var deny = (await West.Client.OkAsync(HttpMethod.Get, "/admin/infohashes"))["deny"]!.AsArray();
        Assert.Equal([Convert.ToHexStringLower(Hash(608))], deny.Select(r => r!["infoHash"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ClientRulesReachTheOtherRegion()
    {
        var key = await West.Client.CreatePasskeyAsync();
        await East.Client.OkAsync(HttpMethod.Post, "/admin/clients/deny", new { prefix = "-ST0001-", note = "old" }, HttpStatusCode.Created);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(611), 1))).Failure() == "client not allowed: -ST0001-", Within));
        Assert.Equal("old", (await West.Client.OkAsync(HttpMethod.Get, "/admin/clients"))["deny"]![0]!["note"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await East.Client.SendAsync(HttpMethod.Delete, "/admin/clients/deny/-ST0001-")).Status);
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(611), 1))).Failure() is null, Within));
        Assert.Empty((await West.Client.OkAsync(HttpMethod.Get, "/admin/clients"))["deny"]!.AsArray());
    }

    [Fact]
    public async Task AClientAddDeliveredAfterItsRemovalDoesNotBringTheRuleBack()
    {
        var key = await West.Client.CreatePasskeyAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var added = new ClientChange("deny", "-ST0001-", null, DateTimeOffset.UtcNow, now, false);
        var removed = added with { Version = now + 1000, Removed = true };
        var other = added with { Prefix = "T03I" };
        var malformed = added with { Prefix = "two words" };

        await Deliver(West, "north", removed);
        await Deliver(West, "north", added, other, malformed);
        await Deliver(West, "north", added);

        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(612), 1))).Failure());
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Null((await West.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(612), 1))).Failure());
        var deny = (await West.Client.OkAsync(HttpMethod.Get, "/admin/clients"))["deny"]!.AsArray();
        Assert.Equal(["T03I"], deny.Select(r => r!["prefix"]!.GetValue<string>()));
    }

    [Fact]
    public async Task OperatorEventsFromTheOwnRegionAreIgnored()
    {
        var key = Passkey.Create();
        await Deliver(East, "east", new PasskeyChange(key, "mallory", DateTimeOffset.UtcNow, null));
        Assert.Equal(HttpStatusCode.NotFound, (await East.Client.SendAsync(HttpMethod.Get, $"/admin/passkeys/{key}")).Status);
        Assert.Equal("unknown passkey", (await East.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(609), 1))).Failure());
    }

    [Fact]
    public async Task MalformedOperatorChangesAreSkippedAndNothingElseIsLost()
    {
        var key = Passkey.Create();
        var json = EventJson("north", new PasskeyChange("../../etc", "x", DateTimeOffset.UtcNow, null), new PasskeyChange(key, "erin", DateTimeOffset.UtcNow, null),
            new UsageChange(key, "north/../../x", 1, 1, 1), new UsageChange(key, UsageOrigin.Create("north"), -5, 1, 1));
        using var response = await West.Client.SendAsync(TwoRegions.Delivery("[" + json + "]", "application/cloudevents-batch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("1 of 4 operator changes", await response.Content.ReadAsStringAsync());
        Assert.Equal("erin", (await West.Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}"))["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task AChangeWhosePublishingFailedArrivesWithTheNextResync()
    {
        // East alone first: its publishing to west fails and is dropped after one attempt.
        var eastPort = WhenBehindProxies.FreePort();
        var westPort = WhenBehindProxies.FreePort();
        var extra = Settings(("Tracker:Sync:OperatorResyncSeconds", "1"), ("Tracker:Sync:MaxPublishAttempts", "1"));
        await using var east = await RunningTracker.StartAsync(With(TwoRegions.Settings("east", westPort, extra), StoreFor("east")), urls: $"http://127.0.0.1:{eastPort}");
        var key = await east.Client.CreatePasskeyAsync("frank");
        await Task.Delay(TimeSpan.FromSeconds(0.5));

        await using var west = await RunningTracker.StartAsync(With(TwoRegions.Settings("west", eastPort, extra), StoreFor("west")), urls: $"http://127.0.0.1:{westPort}");
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await west.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(610), 1, left: 5))).Failure() is null, TimeSpan.FromSeconds(5)),
            "the resync never brought east's passkey to west");
    }

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, IDictionary<string, string?>? store)
    {
        foreach (var (key, value) in store ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<(long Uploaded, long Downloaded)> Figures(RunningTracker tracker, string key)
    {
        var (status, json) = await tracker.Client.SendAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        return status == HttpStatusCode.OK ? (json!["uploaded"]!.GetValue<long>(), json["downloaded"]!.GetValue<long>()) : (-1, -1);
    }

    internal static string EventJson(string region, params OperatorChange[] changes)
    {
        var batch = new OperatorChangeBatch();
        foreach (var change in changes)
        {
            batch.Add(change);
        }

        var cloudEvent = new CloudEvent(EventGridSyncPublisher.SourceFor(region), OperatorSyncPublisher.EventType,
            BinaryData.FromBytes(batch.Encode()), "application/json", CloudEventDataFormat.Json)
        { Time = DateTimeOffset.UtcNow };
        return System.Text.Json.JsonSerializer.Serialize(cloudEvent);
    }

    internal static async Task Deliver(RunningTracker tracker, string region, params OperatorChange[] changes)
    {
        using var response = await tracker.Client.SendAsync(TwoRegions.Delivery("[" + EventJson(region, changes) + "]", "application/cloudevents-batch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
