using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Http.Stats;

/// <summary>The stats figures, rendered once as HTML and JSON and reused for <see cref="StatsOptions.RefreshSeconds"/>.</summary>
/// <remarks>
/// Built on demand (no timer): an idle tracker does not list its swarms every few seconds, which matters when the
/// list is read from Table Storage (the history sampler, <see cref="StatsHistoryService"/>, asks for it once a minute). The
/// history is this instance's ring, or on Table Storage its region's rows, read once per rebuild. The swarm figures come from the instance's one shared list of every swarm
/// (<see cref="SwarmListing"/>, read at most once per <c>Tracker:Listing:RefreshSeconds</c> for the full scrape too), and
/// are summed once per list; a rebuild in between refreshes only the rates, regions and passkeys. The same figures feed
/// the <c>tracker.swarms</c>, <c>tracker.seeders</c> and <c>tracker.leechers</c> gauges.
/// </remarks>
public sealed class StatsCache
{
    private readonly ISwarmStore _store;
    private readonly SwarmListing _listing;
    private readonly TrackerMetrics _metrics;
    private readonly AnnouncePolicy _policy;
    private readonly IEnumerable<IRegionStatusSource> _regions;
    private readonly StatsOptions _options;
    private readonly TimeProvider _time;
    private readonly string _region;
    private readonly DateTimeOffset _started;
    private readonly RebuiltValue<Rendered> _rendered;
    private readonly StatsHistory _history;
    private readonly IStatsHistoryStore? _historyStore;
    private readonly FullScrapeCache _fullScrape;
    private SwarmFigures? _figures;

    public StatsCache(ISwarmStore store, SwarmListing listing, TrackerMetrics metrics, AnnouncePolicy policy, IEnumerable<IRegionStatusSource> regions,
        IOptions<StatsOptions> options, IOptions<RegionOptions> region, TimeProvider time, StatsHistory history, FullScrapeCache fullScrape,
        IStatsHistoryStore? historyStore = null)
    {
        _history = history;
        _historyStore = historyStore;
        _fullScrape = fullScrape;
        _store = store;
        _listing = listing;
        _metrics = metrics;
        _policy = policy;
        _regions = regions;
        _options = options.Value;
        _time = time;
        _region = region.Value.Region;
        _started = time.GetUtcNow();
        _rendered = new(rendered => _time.GetUtcNow() - rendered.Snapshot.GeneratedAt >= TimeSpan.FromSeconds(_options.RefreshSeconds));
        metrics.Meter.CreateObservableGauge("tracker.swarms", () => Observe(static t => t.Torrents), "{swarm}", "Swarms held by the store, as of the last stats rebuild.");
        metrics.Meter.CreateObservableGauge("tracker.seeders", () => Observe(static t => t.Seeders), "{peer}", "Seeders over every swarm, as of the last stats rebuild.");
        metrics.Meter.CreateObservableGauge("tracker.leechers", () => Observe(static t => t.Leechers), "{peer}", "Leechers over every swarm, as of the last stats rebuild.");
    }

    /// <summary>One rendering of the figures.</summary>
    public sealed record Rendered(StatsSnapshot Snapshot, byte[] Html, byte[] Json, TrackerCounters Counters);

    public ValueTask<Rendered> GetAsync(CancellationToken cancellationToken) => _rendered.GetAsync(BuildAsync, cancellationToken);

    private IEnumerable<Measurement<long>> Observe(Func<StatsTotals, long> figure) =>
        _rendered.Current is { } current ? [new Measurement<long>(figure(current.Snapshot.Totals))] : [];

    private async Task<Rendered> BuildAsync(Rendered? previous, CancellationToken cancellationToken)
    {
        // Kestrel runs handlers inline on its socket threads (KestrelTuning): walk every swarm on the pool instead.
        await Task.Yield();
        var now = _time.GetUtcNow();
        var counters = _metrics.Snapshot();
        var figures = Figures(await _listing.GetAsync(cancellationToken));

        var since = previous?.Snapshot.GeneratedAt ?? _started;
        var before = previous?.Counters ?? default;
        // At least a second, so a rebuild right after start does not turn a handful of requests into thousands per second.
        var window = Math.Max((now - since).TotalSeconds, 1);
        var protocols = new List<ProtocolStats>
        {
            new("http", Rate(counters.HttpAnnounces - before.HttpAnnounces, window), Rate(counters.HttpScrapes - before.HttpScrapes, window), counters.HttpAnnounces, counters.HttpScrapes),
            new("udp", Rate(counters.UdpAnnounces - before.UdpAnnounces, window), Rate(counters.UdpScrapes - before.UdpScrapes, window), counters.UdpAnnounces, counters.UdpScrapes),
        };

        var snapshot = new StatsSnapshot(
            now,
            _region,
            _policy.PrivateMode.Enabled ? "private" : "open",
            StoreName(_store),
            Math.Round(window, 1),
            Math.Round((now - _started).TotalSeconds),
            figures.Totals,
            protocols,
            Rate(counters.Failures - before.Failures, window),
            Regions(),
            figures.Busiest,
            _policy.PrivateMode.Enabled || _policy.Passkeys.Count > 0 ? _policy.Passkeys.Count : null,
            await HistoryAsync(now, cancellationToken),
            await FullScrapeAsync(now, cancellationToken));

        var html = Encoding.UTF8.GetBytes(StatsPage.Render(snapshot, _options.RefreshSeconds));
        var json = JsonSerializer.SerializeToUtf8Bytes(snapshot, StatsJsonContext.Default.StatsSnapshot);
        return new Rendered(snapshot, html, json, counters);
    }

    /// <summary>The region's history from the shared store (one partition query), else this instance's own.</summary>
    private async Task<HistoryStats> HistoryAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var minutes = _options.HistoryMinutes;
        var since = StatsHistoryRecorder.Minute(now).AddMinutes(-minutes);
        var local = Since(_history.ToArray(), since);
        if (_historyStore is null)
        {
            return new HistoryStats(minutes, "instance", local, []);
        }

        IReadOnlyList<InstanceHistory> shared;
        try
        {
            shared = await _historyStore.ReadAsync(_region, TimeSpan.FromMinutes(minutes), cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Storage down: chart what this instance knows rather than fail the page.
            return new HistoryStats(minutes, "instance", local, []);
        }

        // This instance's own row may lag its memory by a minute: memory wins.
        var instances = new List<InstanceStats> { new(_historyStore.Instance, true, now, local) };
        foreach (var instance in shared)
        {
            if (instance.Instance != _historyStore.Instance)
            {
                instances.Add(new InstanceStats(instance.Instance, false, instance.UpdatedAt, Since(instance.Samples, since)));
            }
        }

        var sums = new SortedDictionary<DateTimeOffset, HistorySample>();
        foreach (var instance in instances)
        {
            foreach (var sample in instance.Samples)
            {
                sums[sample.At] = sums.TryGetValue(sample.At, out var sum)
                    ? new HistorySample(sample.At, sum.HttpAnnouncesPerSecond + sample.HttpAnnouncesPerSecond, sum.UdpAnnouncesPerSecond + sample.UdpAnnouncesPerSecond,
                        Math.Max(sum.Peers, sample.Peers), Math.Max(sum.Swarms, sample.Swarms))
                    : sample;
            }
        }

        instances.Sort(static (a, b) => string.CompareOrdinal(a.Instance, b.Instance));
        return new HistoryStats(minutes, "region", [.. sums.Values], instances.Count > 1 ? instances : []);
    }

    private static List<HistorySample> Since(IReadOnlyList<HistorySample> samples, DateTimeOffset since)
    {
        var list = new List<HistorySample>(samples.Count);
        foreach (var sample in samples)
        {
            if (sample.At >= since)
            {
                list.Add(sample);
            }
        }

        return list;
    }

    /// <summary>The full scrape a client would get now. With a blob, asked of the cache (a conditional read of the blob at most
    /// once per period); without, the last one built, if any: the stats page must not render every swarm nobody asked for.</summary>
    private async Task<FullScrapeStats?> FullScrapeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!_fullScrape.Enabled)
        {
            return null;
        }

        var snapshot = _fullScrape.UsesBlob ? await _fullScrape.GetAsync(cancellationToken) : _fullScrape.Current;
        if (snapshot is null)
        {
            return new FullScrapeStats("on-demand", null, null, null);
        }

        return new FullScrapeStats(
            snapshot.Source == FullScrapeSource.Blob ? "blob" : "on-demand",
            snapshot.BuiltAt,
            Math.Round(Math.Max((now - snapshot.BuiltAt).TotalSeconds, 0)),
            snapshot.Swarms);
    }

    /// <summary>Totals and the busiest swarms of one list, computed once per list.</summary>
    private SwarmFigures Figures(SwarmListing.Snapshot listing)
    {
        if (_figures is { } figures && figures.Version == listing.Version)
        {
            return figures;
        }

        long seeders = 0, leechers = 0, completed = 0;
        foreach (var swarm in listing.Swarms)
        {
            seeders += swarm.Counts.Complete;
            leechers += swarm.Counts.Incomplete;
            completed += swarm.Counts.Downloaded;
        }

        figures = new SwarmFigures(listing.Version, new StatsTotals(listing.Swarms.Count, seeders, leechers, seeders + leechers, completed), Busiest(listing.Swarms, _options.BusiestSwarms));
        _figures = figures;
        return figures;
    }

    private sealed record SwarmFigures(long Version, StatsTotals Totals, List<SwarmStats> Busiest);

    private List<RegionStats> Regions()
    {
        var list = new List<RegionStats>();
        foreach (var source in _regions)
        {
            foreach (var region in source.GetRegions())
            {
                list.Add(new RegionStats(region.Name, region.IsLocal, region.LagSeconds, region.LastEventAt));
            }
        }

        if (!list.Exists(r => r.Local))
        {
            list.Insert(0, new RegionStats(_region, true, null, null));
        }

        return list;
    }

    private static List<SwarmStats> Busiest(IReadOnlyList<SwarmSummary> swarms, int count)
    {
        // A bounded min-heap: O(n log k) over every swarm, k small.
        var heap = new PriorityQueue<SwarmSummary, (long Peers, long Completed)>();
        foreach (var swarm in swarms)
        {
            var key = (swarm.Counts.Peers, swarm.Counts.Downloaded);
            if (heap.Count < count)
            {
                heap.Enqueue(swarm, key);
            }
            else if (count > 0 && heap.TryPeek(out _, out var smallest) && key.CompareTo(smallest) > 0)
            {
                heap.EnqueueDequeue(swarm, key);
            }
        }

        var list = new List<SwarmStats>(heap.Count);
        while (heap.TryDequeue(out var swarm, out _))
        {
            list.Add(new SwarmStats(swarm.InfoHash.ToHex(), swarm.Counts.Complete, swarm.Counts.Incomplete, swarm.Counts.Downloaded));
        }

        list.Reverse();
        return list;
    }

    private static double Rate(long delta, double seconds) => Math.Round(Math.Max(delta, 0) / seconds, 2);

    private static string StoreName(ISwarmStore store) => Endpoints.SwarmInspection.Innermost(store) switch
    {
        InMemorySwarmStore => "in-memory",
        var inner when inner.GetType().Name.StartsWith("Table", StringComparison.Ordinal) => "table storage",
        var inner => inner.GetType().Name,
    };
}
