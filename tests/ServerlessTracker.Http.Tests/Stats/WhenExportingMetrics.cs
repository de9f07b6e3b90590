using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Http.Tests.Listener;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Stats;

/// <summary>Announces, scrapes and failures are counted on the ServerlessTracker meter and exported.</summary>
/// <remarks>Alone: OpenTelemetry picks instruments by meter name process-wide, and other tests' apps have meters of that name.</remarks>
[Collection(MetricsCollection.Name)]
public sealed class WhenExportingMetrics
{
    [Fact]
    public async Task AnnouncesScrapesAndFailuresByReasonAreCounted()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Private:Enabled"] = "true" });
        var counts = Count(tracker);

        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(401), 1));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(401), 1).Replace("/announce", "/announce/nope"));
        await tracker.Client.GetBencodeAsync("/announce?info_hash=short");
        await tracker.Client.GetBencodeAsync(ScrapeUrl(Hash(401)));

        Assert.Equal(3, counts.GetValueOrDefault("tracker.announces|protocol=http|family=inet"));
        Assert.Equal(1, counts.GetValueOrDefault("tracker.scrapes|protocol=http|family=inet"));
        Assert.Equal(2, counts.GetValueOrDefault("tracker.failures|reason=passkey_required|protocol=http|family=inet"));
        Assert.Equal(1, counts.GetValueOrDefault("tracker.failures|reason=passkey_unknown|protocol=http|family=inet"));
        Assert.Equal(1, counts.GetValueOrDefault("tracker.failures|reason=bad_request|protocol=http|family=inet"));

        // The same requests from ::1 are counted under inet6.
        using var v6 = new HttpClient { BaseAddress = tracker.BaseV6 };
        await v6.GetBencodeAsync(AnnounceUrl(Hash(401), 2));
        await v6.GetBencodeAsync(ScrapeUrl(Hash(401)));
        Assert.Equal(1, counts.GetValueOrDefault("tracker.announces|protocol=http|family=inet6"));
        Assert.Equal(1, counts.GetValueOrDefault("tracker.scrapes|protocol=http|family=inet6"));
        Assert.Equal(2, counts.GetValueOrDefault("tracker.failures|reason=passkey_required|protocol=http|family=inet6"));
    }

    [Theory]
    [InlineData("listener")]
    [InlineData("fast path")]
    [InlineData("kestrel")]
    public async Task AnIPv4ClientOfADualStackSocketIsCountedAsMapped(string door)
    {
        // Every door of a server on the dual-stack wildcard: the listener on the server's port (connection-close requests),
        // the fast path (kept-alive connections handed to Kestrel), Kestrel's own handlers (fast path off).
        var settings = new Dictionary<string, string?>();
        if (door != "listener")
        {
            settings["Tracker:Listener:OnServerPorts"] = "false";
        }

        if (door == "kestrel")
        {
            settings["Tracker:Http:FastPath"] = "false";
        }

        await using var tracker = await RunningTracker.StartAsync(settings, urls: "http://[::]:0");
        var counts = Count(tracker);
        var close = door == "listener" ? "Connection: close\r\n" : string.Empty;
        await ListenerTrackers.ExchangeAsync(tracker.BaseV4, $"GET {AnnounceUrl(Hash(404), 1)} HTTP/1.1\r\nHost: tracker\r\n{close}\r\n");
        await ListenerTrackers.ExchangeAsync(tracker.BaseV4, $"GET {ScrapeUrl(Hash(404))} HTTP/1.1\r\nHost: tracker\r\n{close}\r\n");

        // Stored and answered as IPv4 (the peer is 127.0.0.1), counted apart.
        Assert.Equal(1, counts.GetValueOrDefault("tracker.announces|protocol=http|family=ipv4_mapped"));
        Assert.Equal(1, counts.GetValueOrDefault("tracker.scrapes|protocol=http|family=ipv4_mapped"));
        Assert.Equal(0, counts.GetValueOrDefault("tracker.announces|protocol=http|family=inet"));
    }

    /// <summary>Sums of the app's own counters by instrument and tags, as they are recorded.</summary>
    private static ConcurrentDictionary<string, long> Count(RunningTracker tracker)
    {
        var factory = tracker.Service<IMeterFactory>();
        var counts = new ConcurrentDictionary<string, long>();
        var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this app's meter: other tests run their own apps in parallel.
            if (instrument.Meter.Name == "ServerlessTracker" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
            {
                key += $"|{tag.Key}={tag.Value}";
            }

            counts.AddOrUpdate(key, value, (_, total) => total + value);
        });
        listener.Start();
        tracker.App.Lifetime.ApplicationStopping.Register(listener.Dispose);
        return counts;
    }

    [Fact]
    public async Task PrometheusScrapesThemWhenEnabled()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Metrics:Prometheus"] = "true" });
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(402), 1));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(402), 2));
        await tracker.Client.GetStringAsync("/stats.json");

        var text = await tracker.Client.GetStringAsync("/metrics");
        Assert.Equal(2, Value(text, "tracker_announces_total{otel_scope_name=\"ServerlessTracker\",family=\"inet\",protocol=\"http\"}"));
        Assert.Equal(1, Value(text, "tracker_swarms{otel_scope_name=\"ServerlessTracker\"}"));
        Assert.Contains("service_name=\"serverless-tracker\"", text);
    }

    [Fact]
    public async Task TheFastPathAndTheListenerPublishWhatTheyServed()
    {
        await using var tracker = await ListenerTrackers.StartAsync(new() { ["Tracker:Metrics:Prometheus"] = "true" });
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(403), 1));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(403), 2));
        await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), $"GET {AnnounceUrl(Hash(403), 3)} HTTP/1.1\r\nHost: tracker\r\n\r\n");
        await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), "GET /elsewhere HTTP/1.1\r\nHost: tracker\r\n\r\n");

        var text = await tracker.Client.GetStringAsync("/metrics");
        Assert.Equal(2, Series(text, "tracker_http_fast_path_total", "served"));
        // The client's kept-alive connection on the server's port was accepted by the listener too, and handed to Kestrel.
        Assert.Equal(3, Series(text, "tracker_http_listener_total", "accepted"));
        Assert.Equal(1, Series(text, "tracker_http_listener_total", "handed_off"));
        Assert.Equal(1, Series(text, "tracker_http_listener_total", "served"));
        Assert.Equal(1, Series(text, "tracker_http_listener_total", "rejected"));
    }

    /// <summary>The value of a transport counter's series for one outcome (label order is the exporter's business).</summary>
    private static long Series(string exposition, string name, string outcome)
    {
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && l.Contains($"outcome=\"{outcome}\"", StringComparison.Ordinal));
        Assert.True(line is not null, $"{name} {outcome} not in:\n{exposition}");
        return long.Parse(line[(line.IndexOf("} ", StringComparison.Ordinal) + 2)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static long Value(string exposition, string series)
    {
        var line = exposition.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"{series} not in:\n{exposition}");
        return long.Parse(line[(series.Length + 1)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task ThereIsNoMetricsEndpointByDefault()
    {
        await using var tracker = await RunningTracker.StartAsync();
        using var response = await tracker.Client.GetAsync("/metrics");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}

/// <summary>Runs its classes by themselves, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
