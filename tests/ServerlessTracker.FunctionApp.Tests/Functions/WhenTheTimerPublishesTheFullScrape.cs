using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Protocol.Bencode;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>The <c>purge</c> timer, invoked as the host invokes it, publishes the full scrape to Blob Storage (Azurite), and
/// <c>/scrape</c> through the host serves that blob.</summary>
public sealed class WhenTheTimerPublishesTheFullScrape(AzuriteBlobs azurite) : IClassFixture<AzuriteBlobs>
{
    [Fact]
    public async Task ThePurgeWritesTheBlobAndTheScrapeServesIt()
    {
        var settings = new Dictionary<string, string?>(azurite.NewStore());
        foreach (var (key, value) in azurite.NewBlob())
        {
            settings[key] = value;
        }

        await using var app = await FunctionAppUnderTest.StartAsync(settings);
        await app.Client.GetBencodeAsync(AnnounceUrl(Hash(401), 1));
        await app.Client.GetBencodeAsync(AnnounceUrl(Hash(402), 2, left: 9));

        var result = await app.Host.InvokeTimerAsync("purge");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(result.Logs, log => log.Message.StartsWith("Full scrape published: 2 swarms", StringComparison.Ordinal));

        using var request = new HttpRequestMessage(HttpMethod.Get, ScrapeUrl());
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await app.Client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        await using var unzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var body = new MemoryStream();
        await unzip.CopyToAsync(body);
        var files = BencodeDecoder.Decode(body.ToArray())["files"]!;
        Assert.Equal(1, files.Find(Hash(402))!["incomplete"]!.Integer);
        Assert.Equal(files.Entries.Count, (await app.Client.GetBencodeAsync(ScrapeUrl()))["files"]!.Entries.Count);

        var stats = JsonNode.Parse(await app.Client.GetStringAsync("/stats.json"))!["fullScrape"]!;
        Assert.Equal("blob", stats["source"]!.GetValue<string>());
    }
}
