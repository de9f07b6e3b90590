using System.Buffers;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Limits;

/// <summary>The per-address budgets for <c>/announce</c> and <c>/scrape</c>, one set for the whole process: every HTTP
/// front door (Kestrel's handlers, the function app, the connection fast path, the listener) draws on the same token buckets.</summary>
/// <remarks>
/// A token bucket per <see cref="AddressKey"/> (the resolved client address, IPv6 by prefix) in one partitioned limiter, so a
/// client cannot double its budget by mixing requests the fast path serves with requests it hands to Kestrel. The refusal
/// (HTTP 200, bencoded <c>failure reason</c>, <c>interval</c> in seconds and BEP 31 <c>retry in</c> in minutes) and its count
/// (<c>tracker.failures</c>, reason <c>rate_limited</c>) are written here for both transports. Idle buckets are dropped by the
/// limiter once full again, so memory follows the number of recently active addresses.
/// </remarks>
public sealed class TrackerRateLimiter : IDisposable
{
    private static ReadOnlySpan<byte> RefusedReason => "too many requests from your address; slow down"u8;

    private readonly PartitionedRateLimiter<UInt128> _budgets;
    private readonly TrackerMetrics _metrics;
    private readonly int _prefixLength;
    private readonly int _retryInSeconds;

    public TrackerRateLimiter(IOptions<RateLimitOptions> options, TrackerMetrics metrics)
    {
        var limits = options.Value;
        _metrics = metrics;
        _prefixLength = limits.IPv6PrefixLength;
        _retryInSeconds = limits.RetryInSeconds;
        Enabled = limits.Enabled;

        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.Burst,
            TokensPerPeriod = Math.Max(1, limits.RequestsPerSecond),
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),

            // The partitioned limiter replenishes every bucket from its one timer, instead of a timer per address.
            AutoReplenishment = false,
            QueueLimit = 0,
        };

        // Partitions built from cached delegates: choosing one allocates nothing per request.
        Func<UInt128, RateLimiter> newBucket = _ => new TokenBucketRateLimiter(bucket);
        var unlimited = RateLimitPartition.GetNoLimiter(AddressKey.Unlimited);
        _budgets = PartitionedRateLimiter.Create<UInt128, UInt128>(key => key == AddressKey.Unlimited ? unlimited : RateLimitPartition.Get(key, newBucket));
    }

    /// <summary>False when <c>Tracker:RateLimit:RequestsPerSecond</c> is 0: every request is let through.</summary>
    public bool Enabled { get; }

    /// <summary>The budget <paramref name="client"/> draws on.</summary>
    public UInt128 KeyFor(IPAddress client) => AddressKey.For(client, _prefixLength);

    /// <summary>Takes one request from <paramref name="client"/>'s budget; false when it is spent (answer with <see cref="WriteRefusal"/>).</summary>
    public bool TryAcquire(IPAddress client)
    {
        if (!Enabled)
        {
            return true;
        }

        using var lease = _budgets.AttemptAcquire(KeyFor(client));
        return lease.IsAcquired;
    }

    /// <summary>Counts a refused request and writes its answer.</summary>
    public void WriteRefusal(IBufferWriter<byte> body)
    {
        _metrics.Failure(TrackerProtocol.Http, FailureReason.RateLimited);
        FailureBodies.Write(body, RefusedReason, _retryInSeconds, FailureResponseWriter.MinutesFromSeconds(_retryInSeconds));
    }

    public void Dispose() => _budgets.Dispose();
}
