using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Stats;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Stats;

/// <summary>The stats page's history: one sample a minute, charted as inline SVG and served in the JSON.</summary>
public sealed class WhenChartingStatsHistory
{
    /// <summary>Fewer pixels of the HTTP line's colour than this: the line is not there (its legend mark alone is far fewer).</summary>
    public const int HttpLinePixels = 250;

    /// <summary>An hour of samples ending with the minute before <paramref name="now"/>: HTTP rising and falling, UDP rising.</summary>
    internal static void AddHour(StatsHistory history, DateTimeOffset now)
    {
        var start = StatsHistoryRecorder.Minute(now).AddMinutes(-60);
        for (var i = 0; i < 60; i++)
        {
            history.Add(new HistorySample(start.AddMinutes(i), 20 + (15 * Math.Sin(i / 6.0)), 5 + (i / 10.0), 100 + i, 3));
        }
    }

    [Fact]
    public async Task ThePageDrawsEachSeriesAsAnAccessibleChart()
    {
        await using var tracker = await RunningTracker.StartAsync(null, RunningTracker.FrozenClock, ipv6: false);
        AddHour(tracker.Service<StatsHistory>(), tracker.Service<TimeProvider>().GetUtcNow());

        var html = await tracker.Client.GetStringAsync("/stats");
        Assert.Contains("id=\"history\" data-scope=\"instance\" data-samples=\"60\"", html);
        foreach (var (chart, series) in new[] { ("announces", "http"), ("announces", "udp"), ("peers", "peers"), ("swarms", "swarms") })
        {
            Assert.Contains($"<svg id=\"chart-{chart}\" role=\"img\" aria-label=\"", html);
            Assert.Contains($"<g data-series=\"{series}\" data-points=\"60\"><polyline class=\"line {series}\" points=\"", html);
        }

        // One polyline of 60 points per series (no gap), axis labels, and what a screen reader says.
        var peers = html[html.IndexOf("<g data-series=\"peers\"", StringComparison.Ordinal)..];
        peers = peers[..peers.IndexOf("</g>", StringComparison.Ordinal)];
        Assert.Equal(60, peers.Split(' ').Count(p => p.Contains(',', StringComparison.Ordinal)));
        Assert.Contains(">60 min ago</text>", html);
        Assert.Contains(">now</text>", html);
        Assert.Contains("data-max=\"200\">max 200</text>", html);
        Assert.Contains("<title>Peers over the last 60 minutes; peers now 159, highest 159</title>", html);
        Assert.Contains("HTTP now ", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("id=\"instances\"", html);
    }

    [Fact]
    public async Task AMissingMinuteBreaksTheLine()
    {
        await using var tracker = await RunningTracker.StartAsync(null, RunningTracker.FrozenClock, ipv6: false);
        var history = tracker.Service<StatsHistory>();
        var minute = StatsHistoryRecorder.Minute(tracker.Service<TimeProvider>().GetUtcNow());
        foreach (var ago in new[] { 10, 9, 8, 3, 2, 1 })
        {
            history.Add(new HistorySample(minute.AddMinutes(-ago), 1, 0, 5, 1));
        }

        var html = await tracker.Client.GetStringAsync("/stats");
        var swarms = html[html.IndexOf("<g data-series=\"swarms\"", StringComparison.Ordinal)..];
        swarms = swarms[..swarms.IndexOf("</g>", StringComparison.Ordinal)];
        Assert.Equal(2, swarms.Split("<polyline").Length - 1);
    }

    [Fact]
    public async Task BeforeTheFirstSampleTheChartsSaySo()
    {
        await using var tracker = await RunningTracker.StartAsync(null, RunningTracker.FrozenClock, ipv6: false);
        var html = await tracker.Client.GetStringAsync("/stats");
        Assert.Contains("data-samples=\"0\"", html);
        Assert.Contains("no samples yet", html);
        Assert.DoesNotContain("<polyline", html);
    }

    [Fact]
    public async Task TheJsonCarriesTheSamplesWithTheirMinutes()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Stats:HistoryMinutes"] = "30" }, RunningTracker.FrozenClock, ipv6: false);
        var now = tracker.Service<TimeProvider>().GetUtcNow();
        AddHour(tracker.Service<StatsHistory>(), now);

        var json = JsonNode.Parse(await tracker.Client.GetStringAsync("/stats.json"))!["history"]!;
        Assert.Equal(30, json["minutes"]!.GetValue<int>());
        Assert.Equal("instance", json["scope"]!.GetValue<string>());
        var samples = json["samples"]!.AsArray();
        // The ring holds 30 (the setting), the last 30 of the hour.
        Assert.Equal(30, samples.Count);
        Assert.Equal(StatsHistoryRecorder.Minute(now).AddMinutes(-1), samples[^1]!["at"]!.GetValue<DateTimeOffset>());
        Assert.Equal(159, samples[^1]!["peers"]!.GetValue<long>());
        Assert.Equal(10.9, samples[^1]!["udpAnnouncesPerSecond"]!.GetValue<double>(), 3);
        Assert.Empty(json["instances"]!.AsArray());
    }

    [Fact]
    public async Task EveryMinuteTheSamplerRecordsTheAnnouncesAndTheStore()
    {
        await using var tracker = await RunningTracker.StartAsync(null, RunningTracker.FrozenClock, ipv6: false);
        var time = (FakeTimeProvider)tracker.Service<TimeProvider>();
        var history = tracker.Service<StatsHistory>();
        for (var i = 0; i < 6; i++)
        {
            await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(401), i + 1, port: 7100 + i));
        }

        // The sampler waits for the next minute on the clock: move it there, and the next, and see a sample each time.
        for (var minute = 1; minute <= 2; minute++)
        {
            time.Advance(StatsHistoryRecorder.NextMinute(time.GetUtcNow()) - time.GetUtcNow());
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (history.ToArray().Length < minute && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(minute, history.ToArray().Length);
        }

        var samples = history.ToArray();
        Assert.True(samples[0].HttpAnnouncesPerSecond > 0, "the first minute's announces");
        Assert.Equal(6, samples[0].Peers);
        Assert.Equal(1, samples[0].Swarms);
        Assert.Equal(0, samples[1].HttpAnnouncesPerSecond);
        Assert.Equal(TimeSpan.FromMinutes(1), samples[1].At - samples[0].At);
    }

    [Fact]
    public async Task InPrivateModeWithThePageClosedNoHistoryIsKept()
    {
        await using var tracker = await RunningTracker.StartAsync(
            new Dictionary<string, string?> { ["Tracker:Private:Enabled"] = "true" }, RunningTracker.FrozenClock, ipv6: false);
        var time = (FakeTimeProvider)tracker.Service<TimeProvider>();
        time.Advance(TimeSpan.FromMinutes(2));
        // An open tracker records within milliseconds of the tick (the test above); give a closed one ample time to.
        await Task.Delay(500);
        Assert.Empty(tracker.Service<StatsHistory>().ToArray());
    }
}
