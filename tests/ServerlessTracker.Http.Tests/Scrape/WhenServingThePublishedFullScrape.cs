using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Protocol.Bencode;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Scrape;

/// <summary>The reader's policy (<see cref="FullScrapeCache"/> with a blob) against a blob in memory: served while fresh, read at
/// most once per cache period, and never a failure when it cannot be used.</summary>
public sealed class WhenServingThePublishedFullScrape
{
    [Fact]
    public async Task TheBlobIsServedAsItIsWithoutListingTheSwarms()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await WhenPublishingTheFullScrape.StartAsync(blob);
        var published = await Published(Hash(5), DateTimeOffset.UtcNow, blob);

        using var zipped = await GetAsync(tracker, gzip: true);
        Assert.Equal("gzip", Assert.Single(zipped.Content.Headers.ContentEncoding));
        Assert.Equal(blob.Gzip, await zipped.Content.ReadAsByteArrayAsync());
        using var plain = await GetAsync(tracker, gzip: false);
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal(published, await plain.Content.ReadAsByteArrayAsync());

        Assert.Equal(0, tracker.Service<SwarmListing>().Reads);
        Assert.Equal(FullScrapeSource.Blob, tracker.Service<FullScrapeCache>().Current!.Source);
    }

    [Fact]
    public async Task AFloodOfFullScrapesReadsTheBlobOncePerCachePeriod()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await WhenPublishingTheFullScrape.StartAsync(blob);
        await Published(Hash(6), DateTimeOffset.UtcNow, blob);

        for (var i = 0; i < 20; i++)
        {
            using var response = await GetAsync(tracker, gzip: i % 2 == 0);
        }

        Assert.Equal(1, blob.Downloads);

        // The next period asks with the ETag: unchanged costs a 304, and the copy already held is served.
        WhenPublishingTheFullScrape.Clock(tracker).Advance(TimeSpan.FromSeconds(30));
        using var again = await GetAsync(tracker, gzip: false);
        Assert.Equal((2, 1), (blob.Downloads, blob.NotModified));
        Assert.NotNull(BencodeDecoder.Decode(await again.Content.ReadAsByteArrayAsync())["files"]!.Find(Hash(6)));
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("unreachable")]
    [InlineData("stale")]
    public async Task ABlobThatCannotBeUsedFallsBackToBuildingHere(string why)
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await WhenPublishingTheFullScrape.StartAsync(blob);
        var reasons = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == tracker.Service<TrackerMetrics>().Meter && instrument.Name == "tracker.full_scrape.fallbacks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            lock (reasons)
            {
                reasons.Add((string)tags[0].Value!);
            }
        });
        listener.Start();
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(7), 1));
        switch (why)
        {
            case "unreachable":
                await Published(Hash(8), DateTimeOffset.UtcNow, blob);
                blob.Unreachable = true;
                break;
            case "stale":
                // Older than MaxAgeSeconds (600 by default): the timer has stopped.
                await Published(Hash(8), DateTimeOffset.UtcNow.AddSeconds(-601), blob);
                break;
        }

        var files = (await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!;

        Assert.NotNull(files.Find(Hash(7)));
        Assert.Null(files.Find(Hash(8)));
        Assert.Equal(FullScrapeSource.OnDemand, tracker.Service<FullScrapeCache>().Current!.Source);
        Assert.Equal([why], reasons);
    }

    [Fact]
    public async Task AListChangeIsHonouredUntilANewerBlobIsPublished()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await RunningTracker.StartAsync(
            AdminApi.Settings(), builder => { RunningTracker.FrozenClock(builder); builder.Services.AddSingleton<IFullScrapeBlob>(blob); }, ipv6: false);
        var clock = WhenPublishingTheFullScrape.Clock(tracker);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(9), 1));
        await Published(Hash(9), clock.GetUtcNow(), blob);
        Assert.NotNull((await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!.Find(Hash(9)));

        // A takedown: the published blob still lists it, so this instance builds the answer itself until a newer blob.
        clock.Advance(TimeSpan.FromSeconds(1));
        await tracker.Client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hash = Convert.ToHexStringLower(Hash(9)) }, System.Net.HttpStatusCode.Created);
        Assert.Null((await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!.Find(Hash(9)));

        clock.Advance(TimeSpan.FromSeconds(60));
        await WhenPublishingTheFullScrape.Publisher(tracker).PublishAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Null((await tracker.Client.GetBencodeAsync(ScrapeUrl()))["files"]!.Find(Hash(9)));
        Assert.Equal(FullScrapeSource.Blob, tracker.Service<FullScrapeCache>().Current!.Source);
    }

    [Fact]
    public async Task TheStatsShowWhereTheFullScrapeCameFromAndItsAge()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await WhenPublishingTheFullScrape.StartAsync(blob);
        await Published(Hash(10), WhenPublishingTheFullScrape.Clock(tracker).GetUtcNow().AddSeconds(-42), blob);

        var json = System.Text.Json.Nodes.JsonNode.Parse(await tracker.Client.GetStringAsync("/stats.json"))!;
        Assert.Equal("blob", json["fullScrape"]!["source"]!.GetValue<string>());
        Assert.Equal(42, json["fullScrape"]!["ageSeconds"]!.GetValue<double>());
        var html = await tracker.Client.GetStringAsync("/stats");
        Assert.Contains("id=\"full-scrape\" data-source=\"blob\" data-age-seconds=\"42\"", html, StringComparison.Ordinal);
    }

    private static async Task<byte[]> Published(byte[] hash, DateTimeOffset builtAt, FakeFullScrapeBlob blob)
    {
        var plain = System.Text.Encoding.Latin1.GetBytes("d5:filesd20:" + System.Text.Encoding.Latin1.GetString(hash) + "d8:completei1e10:downloadedi0e10:incompletei0eeee");
        blob.Put(await FullScrapeRenderer.GzipAsync(plain, CancellationToken.None), builtAt, 1);
        return plain;
    }

    private static async Task<HttpResponseMessage> GetAsync(RunningTracker tracker, bool gzip)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ScrapeUrl());
        if (gzip)
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        }

        var response = await tracker.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
