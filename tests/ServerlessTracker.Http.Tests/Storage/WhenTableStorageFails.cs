using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Storage;

/// <summary>The app on Table Storage through an outage: Azurite stopped mid-run, then started again on its port.</summary>
public sealed class WhenTableStorageFails : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task AnnouncesAndScrapesGetAFailureWithRetryInThenSucceedWithoutARestart()
    {
        var settings = _azurite.TrackerTables(failFast: true);
        settings["Tracker:Tables:RetryInSeconds"] = "90";
        await using var tracker = await RunningTracker.StartAsync(settings, ipv6: false);
        var hash = Hash(90);
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001))).Failure());

        await _azurite.StopAsync();
        var refused = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002));
        Assert.NotNull(refused.Failure());
        Assert.Equal(2, refused["retry in"]!.Integer); // BEP 31: minutes, rounded up
        Assert.Equal(90, refused["interval"]!.Integer);
        Assert.Null(refused["peers"]);

        // Scrape: a swarm read before the outage is served from the cache; one never read is refused, not reported empty.
        var cached = await tracker.Client.GetBencodeAsync(ScrapeUrl(hash));
        Assert.Null(cached.Failure());
        Assert.NotNull(cached["files"]);
        var unknown = await tracker.Client.GetBencodeAsync(ScrapeUrl(hash, Hash(91)));
        Assert.NotNull(unknown.Failure());
        Assert.Equal(1, unknown["retry in"]!.Integer); // Tracker:Http:RetryInSeconds, 60 s by default
        Assert.Null(unknown["files"]);

        await _azurite.StartAgainAsync();
        var clock = Stopwatch.StartNew();
        string? failure;
        do
        {
            await Task.Delay(200);
            failure = (await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 3, port: 7003))).Failure();
        }
        while (failure is not null && clock.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Null(failure);
    }

    [Fact]
    public async Task ReadinessTurnsNotReadyWhileLivenessStaysOkThenReadyWithoutARestart()
    {
        await using var tracker = await RunningTracker.StartAsync(_azurite.TrackerTables(failFast: true), ipv6: false);
        var ready = await ReadyAsync(tracker);
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("Table Storage answered", ready.Store);

        await _azurite.StopAsync();
        var clock = Stopwatch.StartNew();
        do
        {
            await Task.Delay(200);
            ready = await ReadyAsync(tracker);
        }
        while (ready.Status == HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("not ready", ready.Overall);
        Assert.StartsWith("Table Storage ", ready.Store, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", ready.Store, StringComparison.Ordinal);
        // Well within the probers' patience: the check gives up after two seconds however the SDK retries.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
        using (var live = await tracker.Client.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await _azurite.StartAgainAsync();
        clock.Restart();
        do
        {
            await Task.Delay(200);
            ready = await ReadyAsync(tracker);
        }
        while (ready.Status != HttpStatusCode.OK && clock.Elapsed < TimeSpan.FromSeconds(30));

        // In-memory Azurite starts empty: ready again means the probe created the tables anew as well.
        Assert.Equal(HttpStatusCode.OK, ready.Status);
        Assert.Equal("Table Storage answered", ready.Store);
    }

    private static async Task<(HttpStatusCode Status, string? Overall, string? Store)> ReadyAsync(RunningTracker tracker)
    {
        using var response = await tracker.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("status").GetString(), body.RootElement.GetProperty("checks").GetProperty("store").GetString());
    }
}
