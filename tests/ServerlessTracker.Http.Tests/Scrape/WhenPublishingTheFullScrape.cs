using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Protocol.Bencode;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Scrape;

/// <summary>The writer's policy (<see cref="FullScrapePublisher"/>) against a blob in memory: when it writes, when it leaves the
/// blob alone, and what it writes.</summary>
public sealed class WhenPublishingTheFullScrape
{
    [Fact]
    public async Task ItWritesTheFullScrapeThenLeavesTheBlobAloneUntilHalfThePeriodHasPassed()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await StartAsync(blob);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(1), 1));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(2), 2, left: 5));
        var publisher = Publisher(tracker);

        Assert.Equal(FullScrapePublication.Written, await publisher.PublishAsync(CancellationToken.None));
        var files = BencodeDecoder.Decode(FullScrapeRenderer.Gunzip(blob.Gzip!)!)["files"]!;
        Assert.Equal(2, files.Entries.Count);
        Assert.Equal(1, files.Find(Hash(2))!["incomplete"]!.Integer);
        Assert.Equal(2, blob.Version!.Swarms);

        // Default period 60 s: a run 29 s later (a second instance, a past-due tick) writes nothing; one at 30 s writes.
        Clock(tracker).Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(FullScrapePublication.Skipped, await publisher.PublishAsync(CancellationToken.None));
        Clock(tracker).Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FullScrapePublication.Written, await publisher.PublishAsync(CancellationToken.None));
        Assert.Equal(2, blob.Uploads);
    }

    [Fact]
    public async Task AWriterThatLosesTheRaceToAnotherStops()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await StartAsync(blob);
        blob.Put(await FullScrapeRenderer.GzipAsync("d5:filesdee"u8.ToArray(), CancellationToken.None), DateTimeOffset.UtcNow.AddHours(-1), 0);
        var theirs = blob.Version!.BuiltAt.AddMinutes(30);

        // Another instance replaces the blob after this one read its version.
        blob.BeforeUpload = () => { blob.BeforeUpload = null; blob.Put("x"u8.ToArray(), theirs, 7); };

        Assert.Equal(FullScrapePublication.Lost, await Publisher(tracker).PublishAsync(CancellationToken.None));
        Assert.Equal(7, blob.Version!.Swarms);
        Assert.Equal(0, blob.Uploads);
    }

    [Fact]
    public async Task NothingIsPublishedWhenFullScrapesAreOff()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await StartAsync(blob, ("Tracker:Http:FullScrapeEnabled", "false"));
        Assert.Equal(FullScrapePublication.Disabled, await Publisher(tracker).PublishAsync(CancellationToken.None));
        Assert.Null(blob.Version);
    }

    [Fact]
    public async Task TorrentsTheListsRefuseAreLeftOut()
    {
        var blob = new FakeFullScrapeBlob();
        await using var tracker = await RunningTracker.StartAsync(
            AdminApi.Settings(), builder => { RunningTracker.FrozenClock(builder); builder.Services.AddSingleton<IFullScrapeBlob>(blob); }, ipv6: false);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(3), 1));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(4), 1));
        await tracker.Client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hash = Convert.ToHexStringLower(Hash(4)) }, System.Net.HttpStatusCode.Created);

        await Publisher(tracker).PublishAsync(CancellationToken.None);

        var files = BencodeDecoder.Decode(FullScrapeRenderer.Gunzip(blob.Gzip!)!)["files"]!;
        Assert.NotNull(files.Find(Hash(3)));
        Assert.Null(files.Find(Hash(4)));
    }

    internal static async Task<RunningTracker> StartAsync(FakeFullScrapeBlob blob, params (string Key, string Value)[] settings) =>
        await RunningTracker.StartAsync(
            settings.ToDictionary(s => s.Key, s => (string?)s.Value),
            builder => { RunningTracker.FrozenClock(builder); builder.Services.AddSingleton<IFullScrapeBlob>(blob); },
            ipv6: false);

    internal static FullScrapePublisher Publisher(RunningTracker tracker) => ActivatorUtilities.CreateInstance<FullScrapePublisher>(tracker.App.Services);

    internal static FakeTimeProvider Clock(RunningTracker tracker) => (FakeTimeProvider)tracker.Service<TimeProvider>();
}
