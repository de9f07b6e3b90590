using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Protocol;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The relay counts its announces in its own process; on Table Storage it shares them each minute, so the function
/// app's stats page charts the region's UDP announces too.</summary>
public sealed class WhenSharingUdpHistory : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task TheAppsPageChartsTheRelaysUdpAnnouncesForTheRegion()
    {
        var settings = _azurite.TrackerTables();
        settings["Tracker:Region"] = "westeurope";
        var relayClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var relay = await RelayHost.StartAsync(settings, relayClock);
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        for (var i = 0; i < 30; i++)
        {
            await client.AnnounceAsync(id, TestBytes.Twenty(), TestBytes.Twenty(), (ushort)(7000 + i), 100, AnnounceEvent.Started);
        }

        // The relay's minute ends: it writes its row.
        relayClock.Advance(StatsHistoryRecorder.NextMinute(relayClock.GetUtcNow()) - relayClock.GetUtcNow());
        var store = relay.Services.GetRequiredService<IStatsHistoryStore>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        IReadOnlyList<InstanceHistory> shared = [];
        while (shared.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            shared = await store.ReadAsync("westeurope", TimeSpan.FromHours(1), default);
        }

        var row = Assert.Single(shared);
        var sample = Assert.Single(row.Samples);
        Assert.True(sample.UdpAnnouncesPerSecond > 0, "the relay's announces");
        Assert.Equal(0, sample.HttpAnnouncesPerSecond);

        var args = new List<string> { "--urls", "http://127.0.0.1:0" };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        await using var app = TrackerApp.Build([.. args], builder => builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(relayClock.GetUtcNow())));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        var history = JsonNode.Parse(await http.GetStringAsync("/stats.json"))!["history"]!;

        Assert.Equal("region", history["scope"]!.GetValue<string>());
        var charted = Assert.Single(history["samples"]!.AsArray());
        Assert.Equal(sample.UdpAnnouncesPerSecond, charted!["udpAnnouncesPerSecond"]!.GetValue<double>());
        Assert.Equal(2, history["instances"]!.AsArray().Count);
        Assert.Contains("<g data-series=\"udp\" data-points=\"1\"><polyline", await http.GetStringAsync("/stats"));
        await app.StopAsync();
    }
}
