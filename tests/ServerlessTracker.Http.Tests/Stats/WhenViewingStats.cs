using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Stats;

/// <summary>The stats page in a real browser, and its JSON twin.</summary>
public sealed class WhenViewingStats
{
    private static Task<RunningTracker> StartWithSwarmsAsync(params (string, string?)[] settings) => StartWithSwarmsAsync(null, settings);

    private static async Task<RunningTracker> StartWithSwarmsAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure, params (string, string?)[] settings)
    {
        var tracker = await RunningTracker.StartAsync(settings.ToDictionary(s => s.Item1, s => s.Item2), configure, ipv6: false);
        // Three torrents: 2 seeders + 3 leechers, 1 leecher, 1 seeder; one completed download.
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(301), 1, port: 7001, left: 0));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(301), 2, port: 7002, left: 5, extra: "&event=started"));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(301), 2, port: 7002, left: 0, extra: "&event=completed"));
        for (var i = 3; i <= 5; i++)
        {
            await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(301), i, port: 7000 + i, left: 5));
        }

        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(302), 6, port: 7006, left: 5));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(303), 7, port: 7007, left: 0));
        return tracker;
    }

    [Fact]
    public async Task ThePageRendersItsFiguresInChromium()
    {
        await using var tracker = await StartWithSwarmsAsync(RunningTracker.FrozenClock, ("Tracker:Region", "westeurope"));
        WhenChartingStatsHistory.AddHour(tracker.Service<StatsHistory>(), tracker.Service<TimeProvider>().GetUtcNow());
        var url = new Uri(tracker.BaseV4, "/stats").ToString();

        var dom = await Chromium.DumpDomAsync(url);
        Assert.Contains("id=\"torrents\">3<", dom);
        Assert.Contains("id=\"seeders\">3<", dom);
        Assert.Contains("id=\"leechers\">4<", dom);
        Assert.Contains("id=\"completed\">1<", dom);
        Assert.Contains("id=\"region\">westeurope<", dom);
        Assert.Contains("id=\"announces-http\">", dom);
        Assert.Contains("id=\"announces-udp\">", dom);
        var busiest = dom.IndexOf($"data-infohash=\"{Convert.ToHexStringLower(Hash(301))}\"", StringComparison.Ordinal);
        Assert.True(busiest > 0 && busiest < dom.IndexOf($"data-infohash=\"{Convert.ToHexStringLower(Hash(302))}\"", StringComparison.Ordinal), "busiest swarm first");
        Assert.Contains("<g data-series=\"http\" data-points=\"60\"><polyline class=\"line http\"", dom);

        var screenshot = Path.Combine(AppContext.BaseDirectory, "screenshots", "stats.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        File.Delete(screenshot);
        await Chromium.ScreenshotAsync(url, screenshot);
        var png = await File.ReadAllBytesAsync(screenshot);
        Assert.True(png.AsSpan().StartsWith(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }), "a PNG");
        Assert.True(png.Length > 20_000, $"a screenshot with content ({png.Length} bytes)");
        // The HTTP line's colour is used by nothing else but its small legend mark: hundreds of pixels
        // of it (about 500 with the line, under 20 without) mean the line was drawn.
        var image = Png.Decode(png);
        var line = image.Count(0x39, 0xd0, 0xd8);
        Assert.True(line > WhenChartingStatsHistory.HttpLinePixels, $"the HTTP announces line is drawn ({line} pixels of its colour)");
    }

    [Fact]
    public async Task TheJsonCarriesTheSameFigures()
    {
        await using var tracker = await StartWithSwarmsAsync(("Tracker:Stats:BusiestSwarms", "2"));
        using var response = await tracker.Client.GetAsync("/stats.json");
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(3, json["totals"]!["torrents"]!.GetValue<long>());
        Assert.Equal(3, json["totals"]!["seeders"]!.GetValue<long>());
        Assert.Equal(4, json["totals"]!["leechers"]!.GetValue<long>());
        Assert.Equal(1, json["totals"]!["completed"]!.GetValue<long>());
        Assert.Equal("open", json["mode"]!.GetValue<string>());
        Assert.Equal("local", json["regions"]![0]!["name"]!.GetValue<string>());
        Assert.True(json["regions"]![0]!["local"]!.GetValue<bool>());
        Assert.Equal(8, json["protocols"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == "http")!["announces"]!.GetValue<long>());
        Assert.Equal(json.ToJsonString(), JsonNode.Parse(await tracker.Client.GetStringAsync("/stats/json"))!.ToJsonString());
        var busiest = json["busiest"]!.AsArray();
        Assert.Equal(2, busiest.Count);
        Assert.Equal(Convert.ToHexStringLower(Hash(301)), busiest[0]!["infoHash"]!.GetValue<string>());
    }

    [Fact]
    public async Task FiguresAreServedFromCacheUntilTheyAreStale()
    {
        await using var tracker = await StartWithSwarmsAsync(("Tracker:Stats:RefreshSeconds", "3600"));
        var first = await tracker.Client.GetStringAsync("/stats.json");
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(304), 8, port: 7008, left: 0));
        Assert.Equal(first, await tracker.Client.GetStringAsync("/stats.json"));
    }

    [Fact]
    public async Task ATokenProtectsThePageAndABrowserCanLogIn()
    {
        await using var tracker = await StartWithSwarmsAsync(("Tracker:Stats:Token", "let-me-see-0123456789abcdef012345"));
        using var anonymous = await tracker.Client.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(await anonymous.Content.ReadAsByteArrayAsync());

        using var basic = new HttpRequestMessage(HttpMethod.Get, "/stats");
        basic.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("operator:let-me-see-0123456789abcdef012345")));
        using var page = await tracker.Client.SendAsync(basic);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("id=\"torrents\">3<", await page.Content.ReadAsStringAsync());

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/stats.json");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-see-0123456789abcdef012345");
        Assert.Equal(HttpStatusCode.OK, (await tracker.Client.SendAsync(bearer)).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/stats.json");
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-se");
        Assert.Equal(HttpStatusCode.Unauthorized, (await tracker.Client.SendAsync(wrong)).StatusCode);
    }

    [Fact]
    public async Task TheStatsPageAndTheFullScrapeShareOneListingOfTheSwarms()
    {
        ListingStore? counting = null;
        await using var tracker = await RunningTracker.StartAsync(
            new Dictionary<string, string?> { ["Tracker:Stats:RefreshSeconds"] = "1", ["Tracker:Http:FullScrapeCacheSeconds"] = "1" },
            builder => builder.Services.AddSingleton<ISwarmStore>(sp => counting = new ListingStore(new InMemorySwarmStore(new SwarmSettings(), TimeProvider.System))),
            ipv6: false);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(305), 1, port: 7001));

        // Two consumers, each asked again after its own period: one listing of the swarms serves them all.
        for (var round = 0; round < 2; round++)
        {
            Assert.Equal(HttpStatusCode.OK, (await tracker.Client.GetAsync("/stats.json")).StatusCode);
            Assert.Single((await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!.Entries);
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => tracker.Client.GetStringAsync("/stats")));
            await Task.Delay(1100);
        }

        Assert.Equal(1, counting!.Listings);
    }

    [Fact]
    public async Task TheFullScrapesAgeIsShownWithoutBuildingOneForThePage()
    {
        await using var tracker = await StartWithSwarmsAsync(("Tracker:Stats:RefreshSeconds", "1"));

        // Nobody asked for a full scrape: the page says so, and renders none of its own.
        var before = JsonNode.Parse(await tracker.Client.GetStringAsync("/stats.json"))!["fullScrape"]!;
        Assert.Equal(("on-demand", null), (before["source"]!.GetValue<string>(), before["ageSeconds"]));
        Assert.Null(tracker.Service<ServerlessTracker.Http.Scrape.FullScrapeCache>().Current);

        await tracker.Client.GetBencodeAsync(ScrapeUrl());
        await Task.Delay(1100);
        var after = JsonNode.Parse(await tracker.Client.GetStringAsync("/stats.json"))!["fullScrape"]!;
        Assert.Equal(3, after["swarms"]!.GetValue<int>());
        Assert.InRange(after["ageSeconds"]!.GetValue<double>(), 0, 30);
        Assert.Contains("id=\"full-scrape\" data-source=\"on-demand\"", await tracker.Client.GetStringAsync("/stats"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithFullScrapesOffThePageSaysSo()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Http:FullScrapeEnabled"] = "false" }, ipv6: false);
        Assert.Null(JsonNode.Parse(await tracker.Client.GetStringAsync("/stats.json"))!["fullScrape"]);
        Assert.Contains("id=\"full-scrape\" data-source=\"off\"", await tracker.Client.GetStringAsync("/stats"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InPrivateModeThePageIsClosedUnlessATokenIsSetOrItIsOpenedExplicitly()
    {
        await using (var closed = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Private:Enabled"] = "true" }, ipv6: false))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await closed.Client.GetAsync("/stats")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await closed.Client.GetAsync("/stats.json")).StatusCode);
        }

        await using (var withToken = await RunningTracker.StartAsync(
            new Dictionary<string, string?> { ["Tracker:Private:Enabled"] = "true", ["Tracker:Stats:Token"] = "let-me-see-0123456789abcdef012345" }, ipv6: false))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await withToken.Client.GetAsync("/stats.json")).StatusCode);
        }

        await using var opened = await RunningTracker.StartAsync(
            new Dictionary<string, string?> { ["Tracker:Private:Enabled"] = "true", ["Tracker:Stats:Enabled"] = "true" }, ipv6: false);
        Assert.Equal("private", JsonNode.Parse(await opened.Client.GetStringAsync("/stats.json"))!["mode"]!.GetValue<string>());
    }

    /// <summary>A store that counts how often every swarm is listed.</summary>
    private sealed class ListingStore(ISwarmStore inner) : ISwarmStore
    {
        private int _listings;

        public int Listings => Volatile.Read(ref _listings);

        public ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken) =>
            inner.AnnounceAsync(command, result, cancellationToken);

        public ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken) =>
            inner.ScrapeAsync(hashes, counts, cancellationToken);

        public ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _listings);
            return inner.ListSwarmsAsync(cancellationToken);
        }

        public ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken) => inner.PurgeAsync(cancellationToken);
    }
}
