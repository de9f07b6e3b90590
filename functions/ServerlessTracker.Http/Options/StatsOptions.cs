using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Http.Options;

/// <summary>The stats page, <c>/stats</c> and <c>/stats.json</c> (configuration section <c>Tracker:Stats</c>).</summary>
public sealed class StatsOptions
{
    public const string Section = "Tracker:Stats";

    /// <summary>Serve the stats page at all. Default: on for an open tracker; in private mode off unless <see cref="Token"/> is
    /// set (the page lists info-hashes), so a private tracker serves it only behind a token or when set to true here.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Whether the page is served, as <see cref="Enabled"/> says or by default for the tracker's mode.</summary>
    public bool IsServed(bool privateMode) => Enabled ?? (!privateMode || !string.IsNullOrEmpty(Token));

    /// <summary>When set, the stats page answers only requests bearing this token (<c>Authorization: Bearer</c>, or HTTP Basic
    /// with the token as password, so a browser prompts for it). A secret: environment only. Default none (open).</summary>
    public string? Token { get; set; }

    /// <summary>Seconds the figures are reused before they are rebuilt from the store. Default 5.</summary>
    [Range(1, 3600)]
    public int RefreshSeconds { get; set; } = 5;

    /// <summary>How many of the busiest swarms the page lists. Default 20.</summary>
    [Range(0, 1000)]
    public int BusiestSwarms { get; set; } = 20;

    /// <summary>Minutes of history the page charts (announces/s by protocol, peers, swarms), one sample a minute, kept in
    /// memory per instance and, on Table Storage, shared per region. Default 60.</summary>
    [Range(5, 1440)]
    public int HistoryMinutes { get; set; } = 60;
}
