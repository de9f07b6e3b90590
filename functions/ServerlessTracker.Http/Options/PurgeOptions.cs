using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Http.Options;

/// <summary>The purge of stale peers (configuration section <c>Tracker:Purge</c>).</summary>
public sealed class PurgeOptions
{
    public const string Section = "Tracker:Purge";

    /// <summary>Run the purge on an in-process timer. Default: on when standalone, off under the Functions
    /// host, whose timer trigger (purge/function.json) calls <c>POST /purge</c> instead.</summary>
    public bool? InProcessTimer { get; set; }

    /// <summary>Seconds between in-process purge runs. Default 60.</summary>
    [Range(1, 86400)]
    public int IntervalSeconds { get; set; } = 60;
}
