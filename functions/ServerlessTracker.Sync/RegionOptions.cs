using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Sync;

/// <summary>Which region this instance serves (configuration key <c>Tracker:Region</c>).</summary>
public sealed class RegionOptions
{
    /// <summary>The region's name, carried by every published change and used to ignore our own echoes.
    /// Default <c>local</c>; set one distinct name per deployed region (e.g. <c>westeurope</c>).</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")]
    public string Region { get; set; } = "local";
}
