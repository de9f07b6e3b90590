using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Tests.Shared;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Admin;

/// <summary>Info-hash lists, the IP allow-list, swarms and settings through the admin API, and their effect on announces.</summary>
public sealed class WhenManagingAccess
{
    [Fact]
    public async Task ADeniedTorrentIsRefusedAndServedAgainOnceRemoved()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var client = tracker.Client;
        var hex = Convert.ToHexStringLower(Hash(201));
        var added = await client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hash = hex.ToUpperInvariant(), note = "takedown" }, HttpStatusCode.Created);
        Assert.Equal(hex, added["added"]![0]!["infoHash"]!.GetValue<string>());

        Assert.Equal("torrent not allowed on this tracker", (await client.GetBencodeAsync(AnnounceUrl(Hash(201), 1))).Failure());
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(202), 1))).Failure());
        var lists = await client.OkAsync(HttpMethod.Get, "/admin/infohashes");
        Assert.Equal("takedown", lists["deny"]![0]!["note"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/admin/infohashes/deny/{hex}")).Status);
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(201), 1))).Failure());
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/admin/infohashes/deny/{hex}")).Status);
    }

    [Fact]
    public async Task TheFullScrapeLeavesOutWhatTheListsRefuse()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings(("Tracker:Http:FullScrapeCacheSeconds", "1")), ipv6: false);
        var client = tracker.Client;
        await client.GetBencodeAsync(AnnounceUrl(Hash(211), 1));
        await client.GetBencodeAsync(AnnounceUrl(Hash(212), 1));
        Assert.Equal(2, (await client.GetBencodeAsync(ScrapeUrl()))["files"]!.Entries.Count);

        // A takedown: the torrent leaves the full scrape with the next request, not at the next rebuild period.
        await client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hash = Convert.ToHexStringLower(Hash(211)) }, HttpStatusCode.Created);
        var files = (await client.GetBencodeAsync(ScrapeUrl()))["files"]!;
        Assert.Null(files.Find(Hash(211)));
        Assert.NotNull(files.Find(Hash(212)));
    }

    [Fact]
    public async Task AHybridTorrentIsAllowedByItsV1AndTruncatedV2Hashes()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings(("Tracker:Access:InfoHashAllowListOnly", "true")));
        var client = tracker.Client;
        var v1 = Hash(203);
        var v2 = Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray();
        var added = await client.OkAsync(HttpMethod.Post, "/admin/infohashes/allow",
            new { v1 = Convert.ToHexStringLower(v1), v2 = Convert.ToHexStringLower(v2) }, HttpStatusCode.Created);
        Assert.Equal(Convert.ToHexStringLower(v2[..20]), added["added"]![1]!["infoHash"]!.GetValue<string>());
        Assert.Equal(Convert.ToHexStringLower(v2), added["added"]![1]!["given"]!.GetValue<string>());

        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(v1, 1, port: 7001))).Failure());
        var fromV2 = await client.GetBencodeAsync(AnnounceUrl(v2[..20], 2, port: 7002, left: 5));
        Assert.Null(fromV2.Failure());
        Assert.Equal("torrent not registered with this tracker", (await client.GetBencodeAsync(AnnounceUrl(Hash(204), 3))).Failure());

        var files = (await client.GetBencodeAsync(ScrapeUrl(v1, Hash(204))))["files"]!;
        Assert.Equal(1, files.Find(v1)!["complete"]!.Integer);
        Assert.Equal(0, files.Find(Hash(204))!["complete"]!.Integer);
    }

    [Fact]
    public async Task HashesAreTakenAsOperatorsPasteThem()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var client = tracker.Client;
        var v1 = Hash(221);
        var v2 = Enumerable.Range(0, 32).Select(i => (byte)(0x40 + i)).ToArray();
        var base32 = Base32.Encode(Hash(222));
        var magnet = $"magnet:?xt=urn:btih:{Convert.ToHexString(v1)}&xt=urn:btmh:1220{Convert.ToHexStringLower(v2)}&dn=Hybrid%20ISO&tr=udp%3A%2F%2Ft.example%3A6969";

        var added = await client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hashes = new[] { magnet, base32 }, note = "pasted" }, HttpStatusCode.Created);
        Assert.Equal([Convert.ToHexStringLower(v1), Convert.ToHexStringLower(v2), Convert.ToHexStringLower(Hash(222))],
            added["added"]!.AsArray().Select(a => a!["given"]!.GetValue<string>()));
        Assert.Equal("torrent not allowed on this tracker", (await client.GetBencodeAsync(AnnounceUrl(v1, 1))).Failure());
        Assert.Equal("torrent not allowed on this tracker", (await client.GetBencodeAsync(AnnounceUrl(v2[..20], 1))).Failure());
        Assert.Equal("torrent not allowed on this tracker", (await client.GetBencodeAsync(AnnounceUrl(Hash(222), 1))).Failure());

        // Removing by the same magnet link, escaped as one path segment, lifts both of its rules.
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/infohashes/deny/" + Uri.EscapeDataString(magnet))).Status);
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(v1, 1))).Failure());
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(v2[..20], 1))).Failure());
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/infohashes/deny/" + base32.ToLowerInvariant())).Status);
        Assert.Empty((await client.OkAsync(HttpMethod.Get, "/admin/infohashes"))["deny"]!.AsArray());

        // A swarm is found by any form naming it alone; a hybrid magnet names two swarms and must be narrowed.
        var swarm = await client.OkAsync(HttpMethod.Get, "/admin/swarms/" + Uri.EscapeDataString($"magnet:?xt=urn:btih:{Base32.Encode(v1)}"));
        Assert.Equal(Convert.ToHexStringLower(v1), swarm["infoHash"]!.GetValue<string>());
        var (status, json) = await client.SendAsync(HttpMethod.Get, "/admin/swarms/" + Uri.EscapeDataString(magnet));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("names 2 swarms", json!["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedClientGetsAFailureNamingItsRule()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var client = tracker.Client;
        await tracker.Service<AnnouncePolicy>().Clients.AddAsync(Engine.Policy.AccessLists.ClientListKind.Deny, "-ST0001-", "test client", default);

        // Every announce of this suite's client (peer ids -ST0001-...) is refused; a scrape carries no peer id and is served.
        Assert.Equal("client not allowed: -ST0001-", (await client.GetBencodeAsync(AnnounceUrl(Hash(231), 1))).Failure());
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(231), 1).Replace("-ST0001-", "-qB4650-", StringComparison.Ordinal))).Failure());
        Assert.Null((await client.GetBencodeAsync(ScrapeUrl(Hash(231))))["failure reason"]);
    }

    [Fact]
    public async Task ClientRulesAreManagedThroughTheApi()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var client = tracker.Client;
        var added = await client.OkAsync(HttpMethod.Post, "/admin/clients/deny", new { prefixes = (string[])["-ST0001-", "T03I", "x/y"], note = "old" }, HttpStatusCode.Created);
        Assert.Equal(3, added["added"]!.AsArray().Count);
        Assert.Equal("client not allowed: -ST0001-", (await client.GetBencodeAsync(AnnounceUrl(Hash(241), 1))).Failure());

        var lists = await client.OkAsync(HttpMethod.Get, "/admin/clients");
        Assert.Equal(["-ST0001-", "T03I", "x/y"], lists["deny"]!.AsArray().Select(r => r!["prefix"]!.GetValue<string>()));
        Assert.Equal("old", lists["deny"]![0]!["note"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/clients/deny/-ST0001-")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/clients/deny/x%2Fy")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/clients/deny?prefix=T03I")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, "/admin/clients/deny/T03I")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, "/admin/clients/deny")).Status);
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(241), 1))).Failure());

        // An allow rule: only matching clients from then on.
        await client.OkAsync(HttpMethod.Post, "/admin/clients/allow", new { prefix = "-qB" }, HttpStatusCode.Created);
        Assert.Equal("client not allowed: not on this tracker's client allow list", (await client.GetBencodeAsync(AnnounceUrl(Hash(241), 1))).Failure());
    }

    [Theory]
    [InlineData("{\"prefix\": \"\"}")]
    [InlineData("{\"prefix\": \"-XL 12-\"}")]
    [InlineData("{\"prefix\": \"012345678901234567890\"}")]
    [InlineData("{\"prefixes\": [\"-qB\", \"caf\u00e9\"]}")]
    [InlineData("{\"note\": \"no prefix\"}")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task ABadClientPrefixIsRefusedWith400(string body)
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var (status, json) = await tracker.Client.SendAsync(HttpMethod.Post, "/admin/clients/deny", body.Length == 0 ? null : body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(json!["error"]);
        Assert.Equal(0, tracker.Service<AnnouncePolicy>().Clients.DenyCount);
    }

    [Theory]
    [InlineData("{\"hash\": \"abc\"}")]
    [InlineData("{\"v1\": \"fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\"}")]
    [InlineData("{\"v2\": \"0123456789abcdef0123456789abcdef01234567\"}")]
    [InlineData("{\"hash\": \"magnet:?dn=no+hash\"}")]
    [InlineData("{\"hashes\": [\"0123456789abcdef0123456789abcdef01234567\", \"nope\"]}")]
    [InlineData("{\"v1\": \"magnet:?xt=urn:btmh:1220fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210\"}")]
    [InlineData("{}")]
    [InlineData("not json")]
    [InlineData("")]
    public async Task ABadInfoHashIsRefusedWith400(string body)
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var (status, json) = await tracker.Client.SendAsync(HttpMethod.Post, "/admin/infohashes/deny", body.Length == 0 ? null : body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(json!["error"]);
        Assert.Equal(0, tracker.Service<AnnouncePolicy>().InfoHashes.DenyCount);
    }

    [Fact]
    public async Task TheIpAllowListLetsInListedAddressesAndRetiresUnusedEntries()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var tracker = await RunningTracker.StartAsync(
            Support.AdminApi.Settings(("Tracker:Access:IpAllowListEnabled", "true"), ("Tracker:Access:IpAllowListExpirySeconds", "3600")),
            builder => builder.Services.AddSingleton<TimeProvider>(clock));
        var client = tracker.Client;
        Assert.Equal("your address is not allowed to use this tracker", (await client.GetBencodeAsync(AnnounceUrl(Hash(205), 1))).Failure());

        var entry = await client.OkAsync(HttpMethod.Post, "/admin/ips", new { entry = "127.0.0.0/8", note = "loopback customer" }, HttpStatusCode.Created);
        Assert.Equal("127.0.0.0/8", entry["entry"]!.GetValue<string>());
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(205), 1))).Failure());

        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(205), 1))).Failure());
        clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Null((await client.GetBencodeAsync(AnnounceUrl(Hash(205), 1))).Failure());

        clock.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal("your address is not allowed to use this tracker", (await client.GetBencodeAsync(AnnounceUrl(Hash(205), 1))).Failure());
        // The maintenance timer runs on the same clock and may have retired it already; a round now settles it either way.
        await tracker.Service<AnnouncePolicy>().MaintainAsync(default);
        Assert.Empty((await client.OkAsync(HttpMethod.Get, "/admin/ips"))["entries"]!.AsArray());
    }

    [Fact]
    public async Task IpEntriesCanBeListedAndRemoved()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings(("Tracker:Access:IpAllowListEnabled", "true")));
        var client = tracker.Client;
        await client.OkAsync(HttpMethod.Post, "/admin/ips", new { entry = "127.0.0.1" }, HttpStatusCode.Created);
        await client.OkAsync(HttpMethod.Post, "/admin/ips", new { entry = "2001:db8::/32" }, HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(HttpMethod.Post, "/admin/ips", new { entry = "10.0.0.0/40" })).Status);

        var list = await client.OkAsync(HttpMethod.Get, "/admin/ips");
        Assert.True(list["enabled"]!.GetValue<bool>());
        Assert.Equal(["127.0.0.1", "2001:db8::/32"], list["entries"]!.AsArray().Select(e => e!["entry"]!.GetValue<string>()));

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/ips/2001:db8::/32")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, "/admin/ips/127.0.0.1")).Status);
        Assert.Equal("your address is not allowed to use this tracker", (await client.GetBencodeAsync(AnnounceUrl(Hash(206), 1))).Failure());
    }

    [Fact]
    public async Task SwarmsCanBeListedInspectedAndDropped()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        var client = tracker.Client;
        await client.GetBencodeAsync(AnnounceUrl(Hash(207), 1, port: 7001, left: 0));
        await client.GetBencodeAsync(AnnounceUrl(Hash(207), 2, port: 7002, left: 9));
        await client.GetBencodeAsync(AnnounceUrl(Hash(208), 3, port: 7003, left: 9));
        var hex = Convert.ToHexStringLower(Hash(207));

        var list = await client.OkAsync(HttpMethod.Get, "/admin/swarms?limit=1");
        Assert.Equal(2, list["count"]!.GetValue<int>());
        Assert.Equal(hex, list["swarms"]![0]!["infoHash"]!.GetValue<string>());
        Assert.Equal(2, list["swarms"]![0]!["peers"]!.GetValue<long>());

        var swarm = await client.OkAsync(HttpMethod.Get, $"/admin/swarms/{hex}");
        Assert.Equal(1, swarm["seeders"]!.GetValue<long>());
        Assert.Equal(["127.0.0.1:7001", "127.0.0.1:7002"],
            swarm["peers"]!.AsArray().Select(p => $"{p!["address"]}:{p["port"]}").Order());

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/admin/swarms/{hex}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Get, $"/admin/swarms/{hex}")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(HttpMethod.Get, "/admin/swarms/xyz")).Status);
    }

    [Fact]
    public async Task SettingsShowWhatIsInEffectButNoSecret()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings(
            ("Tracker:Private:Enabled", "true"), ("Tracker:Stats:Token", "stats-secret-42-0123456789abcdef0"), ("Tracker:Swarm:MaxNumWant", "77")));
        var (status, json) = await tracker.Client.SendAsync(HttpMethod.Get, "/admin/settings");
        Assert.Equal(HttpStatusCode.OK, status);
        var text = json!.ToJsonString();
        Assert.DoesNotContain(Support.AdminApi.Token, text);
        Assert.DoesNotContain("stats-secret-42-0123456789abcdef0", text);
        Assert.True(json["private"]!["enabled"]!.GetValue<bool>());
        Assert.Equal(77, json["swarm"]!["maxNumWant"]!.GetValue<int>());
        Assert.True(json["admin"]!["tokenSet"]!.GetValue<bool>());
        Assert.True(json["stats"]!["tokenSet"]!.GetValue<bool>());
        Assert.Equal(60, json["stats"]!["historyMinutes"]!.GetValue<int>());
        Assert.Equal("InMemorySwarmStore", json["swarmStore"]!.GetValue<string>());
    }
}
