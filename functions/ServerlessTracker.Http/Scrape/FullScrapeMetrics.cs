using System.Diagnostics.Metrics;
using ServerlessTracker.Engine.Diagnostics;

namespace ServerlessTracker.Http.Scrape;

/// <summary>What the published full scrape costs and saves: writes after purges, and the instances' fallbacks to building it
/// themselves (each one a read of every swarm the blob was meant to spare).</summary>
public sealed class FullScrapeMetrics
{
    private readonly Counter<long> _published;
    private readonly Counter<long> _fallbacks;

    public FullScrapeMetrics(TrackerMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        _published = metrics.Meter.CreateCounter<long>("tracker.full_scrape.publishes", "{run}",
            "Purge runs' full-scrape publications, by result: written, skipped (the blob was fresh), lost (another instance wrote first), failed");
        _fallbacks = metrics.Meter.CreateCounter<long>("tracker.full_scrape.fallbacks", "{build}",
            "Full scrapes built on demand although a blob is configured, by reason: missing, unreachable, stale, lists (changed since the blob was built)");
    }

    public void Published(string result) => _published.Add(1, new KeyValuePair<string, object?>("result", result));

    public void FellBack(string reason) => _fallbacks.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
