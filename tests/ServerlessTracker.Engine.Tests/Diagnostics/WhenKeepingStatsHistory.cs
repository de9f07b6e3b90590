using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Diagnostics;

namespace ServerlessTracker.Engine.Tests.Diagnostics;

/// <summary>The stats page's history: a fixed ring of one sample a minute, rates taken from the counters the process keeps.</summary>
public sealed class WhenKeepingStatsHistory
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static HistorySample Sample(int minute, double http = 0) => new(Noon.AddMinutes(minute), http, 0, 0, 0);

    [Fact]
    public void TheRingKeepsTheLatestSamplesOldestFirst()
    {
        var history = new StatsHistory(3);
        for (var minute = 0; minute < 5; minute++)
        {
            history.Add(Sample(minute, minute));
        }

        var samples = history.ToArray();
        Assert.Equal([2.0, 3.0, 4.0], samples.Select(s => s.HttpAnnouncesPerSecond));
        Assert.Equal(Noon.AddMinutes(2), samples[0].At);
    }

    [Fact]
    public void ASecondSampleOfTheSameMinuteReplacesTheFirst()
    {
        var history = new StatsHistory(3);
        history.Add(Sample(0, 1));
        history.Add(Sample(0, 7));
        var sample = Assert.Single(history.ToArray());
        Assert.Equal(7, sample.HttpAnnouncesPerSecond);
    }

    [Fact]
    public void ASampleIsTheAnnouncesOfTheMinuteOverItsSecondsByProtocol()
    {
        var time = new FakeTimeProvider(Noon.AddSeconds(-0.02));
        using var meter = new Meter("test");
        var metrics = new TrackerMetrics(meter);
        Count(metrics, TrackerProtocol.Http, 5);
        var recorder = new StatsHistoryRecorder(metrics, new StatsHistory(60), time);

        Count(metrics, TrackerProtocol.Http, 120);
        Count(metrics, TrackerProtocol.Udp, 30);
        time.Advance(TimeSpan.FromMinutes(1));
        var first = recorder.Record(peers: 42, swarms: 3);

        // Counted before the recorder started: not in the first minute.
        Assert.Equal(2.0, first.HttpAnnouncesPerSecond);
        Assert.Equal(0.5, first.UdpAnnouncesPerSecond);
        Assert.Equal(42, first.Peers);
        Assert.Equal(3, first.Swarms);
        Assert.Equal(Noon, first.At);

        Count(metrics, TrackerProtocol.Udp, 6);
        time.Advance(TimeSpan.FromMinutes(1));
        var second = recorder.Record(peers: 40, swarms: 3);
        Assert.Equal(0, second.HttpAnnouncesPerSecond);
        Assert.Equal(0.1, second.UdpAnnouncesPerSecond);
        Assert.Equal(Noon.AddMinutes(1), second.At);
        Assert.Equal([first, second], recorder.History.ToArray());
    }

    [Fact]
    public void ATickLandsOnTheStartOfTheNextMinute()
    {
        Assert.Equal(Noon.AddMinutes(1), StatsHistoryRecorder.NextMinute(Noon));
        Assert.Equal(Noon.AddMinutes(1), StatsHistoryRecorder.NextMinute(Noon.AddSeconds(59.9)));
        Assert.Equal(Noon, StatsHistoryRecorder.Minute(new DateTimeOffset(2026, 12, 7, 13, 0, 30, TimeSpan.FromHours(1))));
    }

    private static void Count(TrackerMetrics metrics, TrackerProtocol protocol, int announces)
    {
        for (var i = 0; i < announces; i++)
        {
            metrics.Announce(protocol, ClientFamily.Inet);
        }
    }
}
