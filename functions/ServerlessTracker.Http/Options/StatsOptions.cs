using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Http.Options;

/// <summary>The stats page, <c>/stats</c> and <c>/stats.json</c> (configuration section <c>Tracker:Stats</c>).</summary>
public sealed class StatsOptions
{
    public const string Section = "Tracker:Stats";

    /// <summary>Serve the stats page at all. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>When set, the stats page answers only requests bearing this token (<c>Authorization: Bearer</c>, or HTTP Basic
    /// with the token as password, so a browser prompts for it). A secret: environment only. Default none (open).</summary>
    public string? Token { get; set; }

    /// <summary>Seconds the figures are reused before they are rebuilt from the store. Default 5.</summary>
    [Range(1, 3600)]
    public int RefreshSeconds { get; set; } = 5;

    /// <summary>How many of the busiest swarms the page lists. Default 20.</summary>
    [Range(0, 1000)]
    public int BusiestSwarms { get; set; } = 20;
}
