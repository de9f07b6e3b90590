using ServerlessTracker.Bench.Http;
using ServerlessTracker.Bench.Trackers;
using ServerlessTracker.Bench.Workloads;

namespace ServerlessTracker.Bench.Scenarios;

/// <summary>
/// Every scenario the benchmark knows. Add new ones here: a UDP announce scenario (issue 4) supplies a driver
/// for <see cref="Trackers.ITrackerTarget.UdpEndpoint"/>; a storage-backed tracker (issue 3) is a new target, not
/// a new scenario, and reports its own counters through <see cref="Trackers.ITrackerTarget.ReadCountersAsync"/>.
/// </summary>
public static class ScenarioCatalog
{
    public static IReadOnlyList<Scenario> All { get; } =
    [
        new(
            "announce-keepalive",
            "HTTP announces, client keeps connections alive (how the Functions host reaches the app)",
            0.3,
            target => target.HttpEndpoint is not null,
            context => Http(context, new AnnounceStream(context.Population, AnnouncePhase.Steady, context.StreamSeed, connectionClose: false), newConnection: false)),
        new(
            "announce-close",
            "HTTP announces with Connection: close, a new TCP connection per announce (clients of a self-hosted tracker)",
            0.6,
            target => target.HttpEndpoint is not null,
            context => Http(context, new AnnounceStream(context.Population, AnnouncePhase.Steady, context.StreamSeed, connectionClose: true), newConnection: true)),
        new(
            "scrape-keepalive",
            "HTTP scrapes, Zipf-chosen info-hashes, client keeps connections alive",
            null,
            target => target.HttpEndpoint is not null && target is not FloorTarget,
            context => Http(context, new ScrapeStream(context.Population, context.StreamSeed, connectionClose: false), newConnection: false)),
        new(
            "scrape-close",
            "HTTP scrapes with Connection: close, a new TCP connection per scrape",
            null,
            target => target.HttpEndpoint is not null && target is not FloorTarget,
            context => Http(context, new ScrapeStream(context.Population, context.StreamSeed, connectionClose: true), newConnection: true)),
    ];

    /// <summary>Scenarios run when none are named.</summary>
    public static IReadOnlyList<string> Defaults { get; } = ["announce-keepalive", "announce-close", "scrape-keepalive"];

    private static HttpLoadGenerator Http(ScenarioContext context, RequestStream stream, bool newConnection) =>
        new(context.Target.HttpEndpoint!, stream, context.Connections, newConnection, context.RequestsPerSecond);
}
