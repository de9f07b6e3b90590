using System.IO.Compression;
using System.Net.Http.Headers;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Protocol.Bencode;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Endpoints;

public class WhenScraping : IAsyncLifetime
{
    /// <summary>Configuration that selects the store: none (the in-memory store) here; Table Storage in the derived class.</summary>
    protected virtual IDictionary<string, string?> Store => new Dictionary<string, string?>();

    private ITrackerUnderTest _tracker = null!;

    public async Task InitializeAsync() => _tracker = await StartAsync(new Dictionary<string, string?>(Store) { ["Tracker:Http:FullScrapeCacheSeconds"] = "1" });

    /// <summary>Starts the tracker under test with <paramref name="settings"/>: the self-hosted server here.</summary>
    protected virtual async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await RunningTracker.StartAsync(settings, ipv6: false);

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private HttpClient Client => _tracker.Client;

    [Fact]
    public async Task ReportsEveryRepeatedInfoHashOnceKeyedByRawBytes()
    {
        var a = Hash(11);
        var b = Hash(12);
        var unknown = Hash(13);
        await Client.GetBencodeAsync(AnnounceUrl(a, 1, left: 0, extra: "&event=completed"));
        await Client.GetBencodeAsync(AnnounceUrl(b, 2, left: 4));

        var files = (await Client.GetBencodeAsync(ScrapeUrl(b, a, unknown, a)))["files"]!;

        Assert.Equal(3, files.Entries.Count);
        Assert.Equal((1L, 0L, 1L), Counts(files.Find(a)!));
        Assert.Equal((0L, 1L, 0L), Counts(files.Find(b)!));
        Assert.Equal((0L, 0L, 0L), Counts(files.Find(unknown)!));
    }

    [Fact]
    public async Task RefusesMoreHashesThanTheLimit()
    {
        var hashes = Enumerable.Range(0, 101).Select(Hash).ToArray();
        Assert.Contains("too many", (await Client.GetBencodeAsync(ScrapeUrl(hashes))).Failure());
    }

    [Fact]
    public async Task FullScrapeListsEverySwarmAndIsGzippedWhenAccepted()
    {
        var hashes = Enumerable.Range(100, 30).Select(Hash).ToArray();
        foreach (var hash in hashes)
        {
            await Client.GetBencodeAsync(AnnounceUrl(hash, 1));
        }

        await Task.Delay(1100); // the full scrape is cached for FullScrapeCacheSeconds

        var plain = await Client.GetBencodeAsync(ScrapeUrl());
        Assert.Equal(30, plain["files"]!.Entries.Count);

        using var request = new HttpRequestMessage(HttpMethod.Get, ScrapeUrl());
        request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
        using var response = await Client.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(response.Content.Headers.ContentEncoding));
        await using var unzip = new GZipStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        using var body = new MemoryStream();
        await unzip.CopyToAsync(body);
        var decoded = BencodeDecoder.Decode(body.ToArray());
        Assert.Equal(30, decoded["files"]!.Entries.Count);
        Assert.All(hashes, h => Assert.NotNull(decoded["files"]!.Find(h)));
    }

    [Fact]
    public async Task FullScrapeCanBeSwitchedOff()
    {
        await using var tracker = await StartAsync(new Dictionary<string, string?>(Store) { ["Tracker:Http:FullScrapeEnabled"] = "false" });
        Assert.Contains("full scrape is disabled", (await tracker.Client.GetBencodeAsync(ScrapeUrl())).Failure());
    }

    private static (long Complete, long Incomplete, long Downloaded) Counts(BencodeValue file) =>
        (file["complete"]!.Integer, file["incomplete"]!.Integer, file["downloaded"]!.Integer);
}
