using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Hosting.Purging;

/// <summary>The purge of stale peers (configuration section <c>Tracker:Purge</c>).</summary>
public sealed class PurgeOptions
{
    public const string Section = "Tracker:Purge";

    /// <summary>Run the purge on an in-process timer. Default: on for the self-hosted server, off for the function app (its
    /// <c>purge</c> timer trigger runs it), on for the UDP relay only with an in-memory store.</summary>
    public bool? InProcessTimer { get; set; }

    /// <summary>Seconds between in-process purge runs. Default 60.</summary>
    [Range(1, 86400)]
    public int IntervalSeconds { get; set; } = 60;
}
