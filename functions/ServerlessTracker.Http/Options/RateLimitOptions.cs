using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Http.Options;

/// <summary>Per-address request budgets for announce and scrape (configuration section <c>Tracker:RateLimit</c>).</summary>
/// <remarks>
/// A token bucket per client address (as resolved behind trusted proxies), IPv6 grouped by prefix because one
/// subscriber holds a whole /64. Generous by default: thousands of users can share one IPv4 address behind carrier-grade
/// NAT, and a client starting with a thousand torrents announces them all at once.
/// </remarks>
public sealed class RateLimitOptions
{
    public const string Section = "Tracker:RateLimit";

    /// <summary>Requests per second an address earns back; 0 switches the limit off. Default 20.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Requests an address may send at once (the bucket's size). Default 400.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 400;

    /// <summary>IPv6 addresses sharing this many leading bits share one budget. Default 64 (one subscriber's network).</summary>
    [Range(32, 128)]
    public int IPv6PrefixLength { get; set; } = 64;

    /// <summary>Seconds a refused client is told to wait (<c>interval</c>; <c>retry in</c> carries it in whole minutes). Default 60.</summary>
    [Range(1, 3600)]
    public int RetryInSeconds { get; set; } = 60;

    public bool Enabled => RequestsPerSecond > 0;
}
