using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Engine.Policy;

/// <summary>Optional leech control for passkey holders (configuration section <c>Tracker:LeechControl</c>).</summary>
/// <remarks>Only leechers are refused (a seeder is always welcome: seeding is how a ratio recovers), and only
/// once the user has downloaded the grace amount.</remarks>
public sealed class LeechControlSettings
{
    public const string Section = "Tracker:LeechControl";

    /// <summary>Refuse leeching to passkeys whose upload/download ratio is below <see cref="MinRatio"/>. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The lowest ratio (uploaded ÷ downloaded) that may still leech. Default 0.5.</summary>
    [Range(0.0, 100.0)]
    public double MinRatio { get; set; } = 0.5;

    /// <summary>Bytes a passkey may download before the ratio is enforced. Default 5368709120 (5 GiB).</summary>
    [Range(0, long.MaxValue)]
    public long GraceBytes { get; set; } = 5L * 1024 * 1024 * 1024;
}
