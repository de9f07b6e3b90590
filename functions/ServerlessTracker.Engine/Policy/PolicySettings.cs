using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Engine.Policy;

/// <summary>How operator data held in memory is kept in step with its store (configuration section <c>Tracker:Policy</c>).</summary>
public sealed class PolicySettings
{
    public const string Section = "Tracker:Policy";

    /// <summary>Seconds between re-reads of passkeys and lists from their store (changes made on other instances
    /// take this long to apply here). Default 10.</summary>
    [Range(1, 3600)]
    public int RefreshSeconds { get; set; } = 10;

    /// <summary>Seconds between writes of this instance's passkey figures and IP allow-list use to the store. Default 10.</summary>
    [Range(1, 3600)]
    public int FlushSeconds { get; set; } = 10;
}
