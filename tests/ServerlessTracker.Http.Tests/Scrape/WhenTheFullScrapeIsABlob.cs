using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Hosting.Purging;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Protocol.Bencode;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Scrape;

/// <summary>The published full scrape on real Azurite (Table and Blob services), as in Azure: one instance's purge writes it,
/// the others serve it without listing the swarms.</summary>
public sealed class WhenTheFullScrapeIsABlob(AzuriteBlobs azurite) : IClassFixture<AzuriteBlobs>
{
    [Fact]
    public async Task ThePurgeWritesItAndAnotherInstanceServesItWithoutBuilding()
    {
        var settings = Settings(azurite.NewStore(), azurite.NewBlob());
        await using var purging = await RunningTracker.StartAsync(settings, ipv6: false);
        for (var n = 0; n < 25; n++)
        {
            await purging.Client.GetBencodeAsync(AnnounceUrl(Hash(300 + n), 1, left: n % 2));
        }

        await purging.Service<PurgeRunner>().RunAsync(CancellationToken.None);

        var blob = new BlobServiceClient(settings["Tracker:FullScrape:ConnectionString"])
            .GetBlobContainerClient(settings["Tracker:FullScrape:Container"]).GetBlobClient("scrape.gz");
        var properties = (await blob.GetPropertiesAsync()).Value;
        Assert.Equal(("gzip", "text/plain", "public, max-age=60"), (properties.ContentEncoding, properties.ContentType, properties.CacheControl));
        Assert.Equal("25", properties.Metadata["swarms"]);

        await using var serving = await RunningTracker.StartAsync(settings, ipv6: false);
        var gzip = await GetAsync(serving, gzip: true);
        var plain = await GetAsync(serving, gzip: false);
        Assert.Equal(0, serving.Service<SwarmListing>().Reads);
        Assert.Equal(FullScrapeSource.Blob, serving.Service<FullScrapeCache>().Current!.Source);
        Assert.Equal(plain, FullScrapeRenderer.Gunzip(gzip));

        // The same bencoded dictionary as an instance that builds it itself (no blob settings, same tables).
        await using var building = await RunningTracker.StartAsync(Settings(Tables(settings)), ipv6: false);
        var built = await GetAsync(building, gzip: false);
        Assert.Equal(FullScrapeSource.OnDemand, building.Service<FullScrapeCache>().Current!.Source);
        Assert.Equal(built, plain);
        Assert.Equal(25, BencodeDecoder.Decode(plain)["files"]!.Entries.Count);

        var stats = JsonNode.Parse(await serving.Client.GetStringAsync("/stats.json"))!["fullScrape"]!;
        Assert.Equal(("blob", 25), (stats["source"]!.GetValue<string>(), stats["swarms"]!.GetValue<int>()));
    }

    [Fact]
    public async Task ASecondPurgeSoonAfterLeavesTheBlobAlone()
    {
        var settings = Settings(azurite.NewStore(), azurite.NewBlob());
        await using var first = await RunningTracker.StartAsync(settings, ipv6: false);
        await using var second = await RunningTracker.StartAsync(settings, ipv6: false);
        await first.Client.GetBencodeAsync(AnnounceUrl(Hash(340), 1));

        Assert.Equal(FullScrapePublication.Written, await first.Service<FullScrapePublisher>().PublishAsync(CancellationToken.None));
        Assert.Equal(FullScrapePublication.Skipped, await second.Service<FullScrapePublisher>().PublishAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WithoutABlobYetTheInstanceBuildsItItself()
    {
        // The stats history sampler lists every swarm at a minute's start, and the full scrape shares that list for
        // Tracker:Listing:RefreshSeconds (by design): a list taken between the start and the announce would lack the swarm.
        // A second's refresh, and a second's wait after the announce, make any such list stale.
        var refresh = new Dictionary<string, string?> { ["Tracker:Listing:RefreshSeconds"] = "1" };
        await using var tracker = await RunningTracker.StartAsync(Settings(azurite.NewStore(), azurite.NewBlob(), refresh), ipv6: false);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(350), 1));
        await Task.Delay(TimeSpan.FromSeconds(1.1));

        var files = (await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!;

        Assert.NotNull(files.Find(Hash(350)));
        Assert.Equal(FullScrapeSource.OnDemand, tracker.Service<FullScrapeCache>().Current!.Source);
        var stats = JsonNode.Parse(await tracker.Client.GetStringAsync("/stats.json"))!["fullScrape"]!;
        Assert.Equal("on-demand", stats["source"]!.GetValue<string>());
    }

    [Fact]
    public async Task WhenBlobStorageGoesDownTheInstanceBuildsItItself()
    {
        // An Azurite of its own: this test kills its Blob service.
        await using var server = await ServerlessTracker.Tests.Shared.AzuriteServer.StartAsync(blobs: true);
        var settings = Settings(server.TrackerTables(), server.FullScrapeBlob(), new Dictionary<string, string?> { ["Tracker:Http:FullScrapeCacheSeconds"] = "1" });
        await using var tracker = await RunningTracker.StartAsync(settings, ipv6: false);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(360), 1));
        await tracker.Service<FullScrapePublisher>().PublishAsync(CancellationToken.None);
        Assert.NotNull((await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!.Find(Hash(360)));
        Assert.Equal(FullScrapeSource.Blob, tracker.Service<FullScrapeCache>().Current!.Source);

        await server.StopBlobsAsync();
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(361), 1));
        await Task.Delay(1100);

        var files = (await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!;
        Assert.NotNull(files.Find(Hash(360)));
        Assert.Equal(FullScrapeSource.OnDemand, tracker.Service<FullScrapeCache>().Current!.Source);
    }

    private static Dictionary<string, string?> Settings(params IDictionary<string, string?>[] parts)
    {
        // The purge runs when the test says: no in-process timer.
        var settings = new Dictionary<string, string?> { ["Tracker:Purge:InProcessTimer"] = "false" };
        foreach (var part in parts)
        {
            foreach (var (key, value) in part)
            {
                settings[key] = value;
            }
        }

        return settings;
    }

    private static Dictionary<string, string?> Tables(Dictionary<string, string?> settings) =>
        settings.Where(s => s.Key.StartsWith("Tracker:Tables:", StringComparison.Ordinal)).ToDictionary();

    private static async Task<byte[]> GetAsync(RunningTracker tracker, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ScrapeUrl());
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        using var response = await tracker.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(gzip ? ["gzip"] : [], response.Content.Headers.ContentEncoding);
        return await response.Content.ReadAsByteArrayAsync();
    }
}
