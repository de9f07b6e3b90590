using System.ComponentModel.DataAnnotations;
using ServerlessTracker.Engine.Limits;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Per-address datagram budgets of the relay (configuration section <c>Relay:RateLimit</c>).</summary>
/// <remarks>
/// Token buckets in a fixed table shared by every receive loop (<see cref="AddressBudgets"/>, the same implementation as
/// the HTTP limiter's). Generous by default: a client with a thousand torrents sends two thousand datagrams when it
/// starts, and carrier-grade NAT puts thousands of users behind one IPv4 address. Over budget, connects are dropped and
/// verified requests get one "slow down" error packet (never larger than the request), then silence until the bucket
/// refills. A scrape costs a token per info-hash it names.
/// </remarks>
public sealed class RelayRateLimitOptions : IValidatableObject
{
    public const string Section = "Relay:RateLimit";

    /// <summary>Datagrams (tokens) per second an address earns back; 0 switches the limit off. Default 100.</summary>
    [Range(0, 10_000_000)]
    public int PacketsPerSecond { get; set; } = 100;

    /// <summary>Tokens an address may hold, so datagrams it may send at once (the bucket's size). Default 2000.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 2000;

    /// <summary>Tokens a new bucket starts with, at most <see cref="Burst"/>: an address seen for the first time (or again
    /// after its bucket was evicted) earns the rest back at <see cref="PacketsPerSecond"/>. Default 500.</summary>
    [Range(1, 10_000_000)]
    public int InitialTokens { get; set; } = 500;

    /// <summary>IPv6 senders sharing this many leading bits share one budget. Default 64.</summary>
    [Range(32, 128)]
    public int IPv6PrefixLength { get; set; } = 64;

    /// <summary>IPv6 senders sharing this many leading bits (fewer than <see cref="IPv6PrefixLength"/>) also share one
    /// aggregate budget, so rotating through the networks of a site gains nothing. Default 48.</summary>
    [Range(16, 127)]
    public int IPv6AggregatePrefixLength { get; set; } = 48;

    /// <summary>The aggregate budget's rate, size and start as a multiple of one network's; 0 turns it off. Default 16.</summary>
    [Range(0, 65536)]
    public int IPv6AggregateMultiple { get; set; } = 16;

    /// <summary>Buckets in the table (rounded up to a power of two); about 48 bytes each. When more addresses are active
    /// than fit, the bucket holding the most tokens is reused. Default 65536 (3 MB).</summary>
    [Range(64, 1 << 24)]
    public int Buckets { get; set; } = 65536;

    public bool Enabled => PacketsPerSecond > 0;

    public AddressBudgetSettings Budgets => new(PacketsPerSecond, Burst, InitialTokens, IPv6PrefixLength, IPv6AggregatePrefixLength, IPv6AggregateMultiple, Buckets);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IPv6AggregateMultiple > 0 && IPv6AggregatePrefixLength >= IPv6PrefixLength)
        {
            yield return new ValidationResult(
                $"{Section}:IPv6AggregatePrefixLength ({IPv6AggregatePrefixLength}) must be shorter than IPv6PrefixLength ({IPv6PrefixLength}), or set IPv6AggregateMultiple to 0.",
                [nameof(IPv6AggregatePrefixLength)]);
        }
    }
}
