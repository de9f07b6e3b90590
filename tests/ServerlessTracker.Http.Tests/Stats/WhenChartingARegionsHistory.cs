using System.Text.Json.Nodes;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Stats;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Stats;

/// <summary>On Table Storage each instance shares its history, and the page charts the region: two instances, one sum.</summary>
public sealed class WhenChartingARegionsHistory(AzuriteTables tables) : IClassFixture<AzuriteTables>
{
    [Fact]
    public async Task ThePageSumsTheAnnouncesOfTheRegionsInstancesAndListsEach()
    {
        var store = tables.NewStore();
        store["Tracker:Region"] = "westeurope";
        await using var a = await RunningTracker.StartAsync(store, RunningTracker.FrozenClock, ipv6: false);
        await using var b = await RunningTracker.StartAsync(store, RunningTracker.FrozenClock, ipv6: false);
        var minute = StatsHistoryRecorder.Minute(a.Service<TimeProvider>().GetUtcNow());
        a.Service<StatsHistory>().Add(new HistorySample(minute.AddMinutes(-3), 10, 1, 50, 4));
        a.Service<StatsHistory>().Add(new HistorySample(minute.AddMinutes(-2), 12, 1, 60, 5));
        b.Service<StatsHistory>().Add(new HistorySample(minute.AddMinutes(-2), 30, 0, 58, 5));

        // B's minute tick: it records the minute and writes its history row; A's page reads the region.
        await b.Service<StatsHistoryService>().SampleAsync(default);

        var json = JsonNode.Parse(await a.Client.GetStringAsync("/stats.json"))!["history"]!;
        Assert.Equal("region", json["scope"]!.GetValue<string>());
        var samples = json["samples"]!.AsArray();
        var sum = samples.Single(s => s!["at"]!.GetValue<DateTimeOffset>() == minute.AddMinutes(-2))!;
        Assert.Equal(42, sum["httpAnnouncesPerSecond"]!.GetValue<double>());
        Assert.Equal(1, sum["udpAnnouncesPerSecond"]!.GetValue<double>());
        // Peers and swarms are the store's, counted by both: the larger figure, not the sum.
        Assert.Equal(60, sum["peers"]!.GetValue<long>());
        Assert.Equal(5, sum["swarms"]!.GetValue<long>());
        Assert.Equal(10, samples.Single(s => s!["at"]!.GetValue<DateTimeOffset>() == minute.AddMinutes(-3))!["httpAnnouncesPerSecond"]!.GetValue<double>());

        var instances = json["instances"]!.AsArray();
        Assert.Equal(2, instances.Count);
        Assert.Single(instances, i => i!["local"]!.GetValue<bool>());

        var html = await a.Client.GetStringAsync("/stats");
        Assert.Contains("data-scope=\"region\"", html);
        Assert.Contains("Last 60 minutes · region westeurope", html);
        Assert.Contains("<table id=\"instances\">", html);
        Assert.Equal(2, html.Split("<tr data-instance=\"").Length - 1);
        Assert.Equal(2, html.Split("<svg class=\"spark\"").Length - 1);
    }

    [Fact]
    public async Task ALoneInstanceChartsTheRegionWithoutAnInstancesTable()
    {
        await using var a = await RunningTracker.StartAsync(tables.NewStore(), RunningTracker.FrozenClock, ipv6: false);
        var minute = StatsHistoryRecorder.Minute(a.Service<TimeProvider>().GetUtcNow());
        a.Service<StatsHistory>().Add(new HistorySample(minute.AddMinutes(-2), 12, 1, 60, 5));

        var html = await a.Client.GetStringAsync("/stats");
        Assert.Contains("data-scope=\"region\" data-samples=\"1\"", html);
        Assert.DoesNotContain("id=\"instances\"", html);
    }
}
