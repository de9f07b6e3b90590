using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Engine.Policy;

/// <summary>Info-hash lists and the IP allow-list (configuration section <c>Tracker:Access</c>).</summary>
/// <remarks>The deny list always applies (empty by default); the allow lists apply only when switched on here.</remarks>
public sealed class AccessSettings
{
    public const string Section = "Tracker:Access";

    /// <summary>Serve only torrents on the info-hash allow list. Default false (any torrent not on the deny list).</summary>
    public bool InfoHashAllowListOnly { get; set; }

    /// <summary>Serve only clients whose address is on the IP allow-list (addresses or CIDR ranges). Default false.</summary>
    public bool IpAllowListEnabled { get; set; }

    /// <summary>An IP allow-list entry not used for this many seconds is retired. 0 keeps entries until removed. Default 2592000 (30 days).</summary>
    [Range(0, 10L * 365 * 86400)]
    public long IpAllowListExpirySeconds { get; set; } = 30L * 86400;
}
