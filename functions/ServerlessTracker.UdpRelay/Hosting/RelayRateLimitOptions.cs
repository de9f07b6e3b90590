using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Per-address datagram budgets of the relay (configuration section <c>Relay:RateLimit</c>).</summary>
/// <remarks>
/// A token bucket per sender address in a fixed table, shared by every receive loop. Generous by default: a client
/// with a thousand torrents sends two thousand datagrams when it starts, and carrier-grade NAT puts thousands of users
/// behind one IPv4 address. Over budget, connects are dropped and verified requests get one "slow down" error packet
/// (never larger than the request), then silence until the bucket refills.
/// </remarks>
public sealed class RelayRateLimitOptions
{
    public const string Section = "Relay:RateLimit";

    /// <summary>Datagrams per second an address earns back; 0 switches the limit off. Default 100.</summary>
    [Range(0, 10_000_000)]
    public int PacketsPerSecond { get; set; } = 100;

    /// <summary>Datagrams an address may send at once (the bucket's size). Default 2000.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;

    /// <summary>IPv6 senders sharing this many leading bits share one budget. Default 64.</summary>
    [Range(32, 128)]
    public int IPv6PrefixLength { get; set; } = 64;

    /// <summary>Buckets in the table (rounded up to a power of two); about 48 bytes each. When more addresses are active
    /// than fit, the least recently refilled bucket is reused. Default 65536 (3 MB).</summary>
    [Range(64, 1 << 24)]
    public int Buckets { get; set; } = 65536;

    public bool Enabled => PacketsPerSecond > 0;
}
