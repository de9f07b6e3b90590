namespace ServerlessTracker.Engine.Limits;

/// <summary>The shape of a set of <see cref="AddressBudgets"/>, taken from a front door's options (<c>Tracker:RateLimit</c>
/// for HTTP, <c>Relay:RateLimit</c> for UDP).</summary>
/// <param name="TokensPerSecond">Tokens an address earns back per second.</param>
/// <param name="Burst">Tokens an address may hold (the bucket's size).</param>
/// <param name="InitialTokens">Tokens a new bucket starts with (at most <paramref name="Burst"/>): an address seen for the
/// first time, or again after its bucket was evicted, earns the rest of its burst back at the normal rate.</param>
/// <param name="IPv6PrefixLength">IPv6 senders sharing this prefix share one bucket (64: a subscriber's network).</param>
/// <param name="IPv6AggregatePrefixLength">IPv6 senders sharing this shorter prefix also share one aggregate bucket (48: a site).</param>
/// <param name="IPv6AggregateMultiple">The aggregate bucket's rate, size and start, as a multiple of one network's; 0 turns it off.</param>
/// <param name="Buckets">Size of the table (rounded up to a power of two); about 48 bytes each.</param>
public readonly record struct AddressBudgetSettings(
    int TokensPerSecond,
    int Burst,
    int InitialTokens,
    int IPv6PrefixLength = 64,
    int IPv6AggregatePrefixLength = 48,
    int IPv6AggregateMultiple = 16,
    int Buckets = 65536);
