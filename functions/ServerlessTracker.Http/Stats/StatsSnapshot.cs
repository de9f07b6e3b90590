using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessTracker.Engine.Diagnostics;

namespace ServerlessTracker.Http.Stats;

/// <summary>The figures the stats page shows, as served at <c>/stats.json</c>.</summary>
/// <param name="WindowSeconds">The span the rates are averaged over: the time since the previous rebuild.</param>
public sealed record StatsSnapshot(
    DateTimeOffset GeneratedAt,
    string Region,
    string Mode,
    string Store,
    double WindowSeconds,
    double UptimeSeconds,
    StatsTotals Totals,
    IReadOnlyList<ProtocolStats> Protocols,
    double FailuresPerSecond,
    IReadOnlyList<RegionStats> Regions,
    IReadOnlyList<SwarmStats> Busiest,
    int? Passkeys,
    HistoryStats History,
    FullScrapeStats? FullScrape = null);

/// <summary>Swarm totals over every torrent the store holds.</summary>
public sealed record StatsTotals(long Torrents, long Seeders, long Leechers, long Peers, long Completed);

/// <summary>Requests of one protocol seen by this instance: rates over the window and totals since start.</summary>
public sealed record ProtocolStats(string Name, double AnnouncesPerSecond, double ScrapesPerSecond, long Announces, long Scrapes);

/// <summary>A region and its sync lag (null: unknown, as when sync is not configured).</summary>
public sealed record RegionStats(string Name, bool Local, double? LagSeconds, DateTimeOffset? LastEventAt);

/// <summary>The full scrape this instance serves: <c>blob</c> (published after a purge) or <c>on-demand</c> (built here), how
/// old it is, and how many swarms it lists (null until one was built). Null when full scrapes are off.</summary>
public sealed record FullScrapeStats(string Source, DateTimeOffset? BuiltAt, double? AgeSeconds, int? Swarms);

/// <summary>One of the busiest swarms.</summary>
public sealed record SwarmStats(string InfoHash, long Seeders, long Leechers, long Completed);

/// <summary>The last <paramref name="Minutes"/> minutes, one sample a minute (the minute's start, UTC), oldest first.</summary>
/// <param name="Scope"><c>instance</c>: this process's own history (in-memory store, or storage unreachable); <c>region</c>:
/// the sum over the region's instances as shared on Table Storage (peers and swarms: the largest any instance saw, as they all
/// count the same store).</param>
/// <param name="Instances">Each instance's own history, when the region has more than one.</param>
public sealed record HistoryStats(int Minutes, string Scope, IReadOnlyList<HistorySample> Samples, IReadOnlyList<InstanceStats> Instances);

/// <summary>One instance's history; <paramref name="Local"/> marks the one that rendered the page.</summary>
public sealed record InstanceStats(string Instance, bool Local, DateTimeOffset UpdatedAt, IReadOnlyList<HistorySample> Samples);

/// <summary>Source-generated JSON for the stats page.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(StatsSnapshot))]
public sealed partial class StatsJsonContext : JsonSerializerContext;
