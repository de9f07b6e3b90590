using System.ComponentModel.DataAnnotations;
using ServerlessTracker.Engine.Limits;

namespace ServerlessTracker.Http.Options;

/// <summary>Per-address request budgets for announce and scrape (configuration section <c>Tracker:RateLimit</c>).</summary>
/// <remarks>
/// A token bucket per client address (as resolved behind trusted proxies) in a fixed table (<see cref="AddressBudgets"/>,
/// shared with the UDP relay's implementation), IPv6 grouped by network because one subscriber holds a whole /64, and by
/// site as well. An announce costs one token, a scrape one per info-hash it names. Generous by default: thousands of users
/// can share one IPv4 address behind carrier-grade NAT, and a client starting with a thousand torrents announces them all
/// at once.
/// </remarks>
public sealed class RateLimitOptions : IValidatableObject
{
    public const string Section = "Tracker:RateLimit";

    /// <summary>Tokens (requests) per second an address earns back; 0 switches the limit off. Default 20.</summary>
    [Range(0, 1_000_000)]
    public int RequestsPerSecond { get; set; } = 20;

    /// <summary>Tokens an address may hold, so requests it may send at once (the bucket's size). Default 400.</summary>
    [Range(1, 10_000_000)]
    public int Burst { get; set; } = 400;

    /// <summary>Tokens a new bucket starts with, at most <see cref="Burst"/>: an address seen for the first time (or again
    /// after its bucket was evicted) earns the rest back at <see cref="RequestsPerSecond"/>. Default 100.</summary>
    [Range(1, 10_000_000)]
    public int InitialTokens { get; set; } = 100;

    /// <summary>IPv6 addresses sharing this prefix share one budget. Default 64 (one subscriber's network).</summary>
    [Range(32, 128)]
    public int IPv6PrefixLength { get; set; } = 64;

    /// <summary>IPv6 addresses sharing this shorter prefix also share one aggregate budget, so rotating through the networks
    /// of a site gains nothing. Default 48.</summary>
    [Range(16, 127)]
    public int IPv6AggregatePrefixLength { get; set; } = 48;

    /// <summary>The aggregate budget's rate, size and start as a multiple of one network's; 0 turns it off. Default 16.</summary>
    [Range(0, 65536)]
    public int IPv6AggregateMultiple { get; set; } = 16;

    /// <summary>Buckets in the budget table (rounded up to a power of two; about 48 bytes each): the memory is set at start.
    /// When more addresses are active than fit, the bucket holding the most tokens (an idle address's) is reused. Default 65536.</summary>
    [Range(64, 1 << 24)]
    public int Buckets { get; set; } = 65536;

    /// <summary>Seconds a refused client is told to wait (<c>interval</c>; <c>retry in</c> carries it in whole minutes). Default 60.</summary>
    [Range(1, 3600)]
    public int RetryInSeconds { get; set; } = 60;

    public bool Enabled => RequestsPerSecond > 0;

    public AddressBudgetSettings Budgets => new(RequestsPerSecond, Burst, InitialTokens, IPv6PrefixLength, IPv6AggregatePrefixLength, IPv6AggregateMultiple, Buckets);

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
