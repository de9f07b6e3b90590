using System.Buffers;
using System.Net;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Limits;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Limits;

/// <summary>The per-address budgets for <c>/announce</c> and <c>/scrape</c>, one set for the whole process: every HTTP
/// front door (Kestrel's handlers, the function app, the connection fast path, the listener) draws on the same buckets.</summary>
/// <remarks>
/// The buckets are <see cref="AddressBudgets"/>, the implementation the UDP relay uses too: a fixed table (memory set at
/// start, nothing allocated per request), keyed by the resolved client address (IPv6 by its network and its site), new
/// buckets starting with a few tokens. An announce costs one token, a scrape one per info-hash it names
/// (<see cref="ScrapeCost"/>). A client cannot double its budget by mixing requests the fast path serves with requests it
/// hands to Kestrel. The refusal (HTTP 200, bencoded <c>failure reason</c>, <c>interval</c> in seconds and BEP 31
/// <c>retry in</c> in minutes) and its count (<c>tracker.failures</c>, reason <c>rate_limited</c>) are written here for every
/// transport.
/// </remarks>
public sealed class TrackerRateLimiter
{
    private static ReadOnlySpan<byte> RefusedReason => "too many requests from your address; slow down"u8;

    private readonly AddressBudgets? _budgets;
    private readonly TrackerMetrics _metrics;
    private readonly int _retryInSeconds;
    private readonly int _maxScrapeHashes;

    public TrackerRateLimiter(IOptions<RateLimitOptions> options, TrackerMetrics metrics, IOptions<HttpTrackerOptions>? http = null, TimeProvider? time = null)
    {
        var limits = options.Value;
        _metrics = metrics;
        _retryInSeconds = limits.RetryInSeconds;
        _maxScrapeHashes = (http?.Value ?? new HttpTrackerOptions()).MaxScrapeHashes;
        _budgets = limits.Enabled ? new AddressBudgets(limits.Budgets, time ?? TimeProvider.System) : null;
    }

    /// <summary>False when <c>Tracker:RateLimit:RequestsPerSecond</c> is 0: every request is let through.</summary>
    public bool Enabled => _budgets is not null;

    /// <summary>Takes <paramref name="cost"/> tokens from <paramref name="client"/>'s budget; false when it cannot pay (answer
    /// with <see cref="WriteRefusal"/>).</summary>
    public bool TryAcquire(IPAddress client, int cost = 1) => _budgets is null || _budgets.Take(client, cost) == BudgetVerdict.Allowed;

    /// <summary>Takes what a scrape with this raw query costs (<see cref="ScrapeCost"/>) from <paramref name="client"/>'s budget.</summary>
    public bool TryAcquireScrape(IPAddress client, ReadOnlySpan<byte> query) =>
        _budgets is null || _budgets.Take(client, ScrapeCost(query, _maxScrapeHashes)) == BudgetVerdict.Allowed;

    /// <summary>What a scrape with this raw query costs: one token per <c>info_hash</c> it names (at least one, at most
    /// <paramref name="maxHashes"/>: more are refused unread).</summary>
    public static int ScrapeCost(ReadOnlySpan<byte> query, int maxHashes)
    {
        var count = 0;
        var parameters = new QueryParameters(query);
        while (count < maxHashes && parameters.MoveNext())
        {
            if (parameters.Name.SequenceEqual("info_hash"u8))
            {
                count++;
            }
        }

        return Math.Clamp(count, 1, maxHashes);
    }

    /// <summary>Counts a refused request and writes its answer.</summary>
    public void WriteRefusal(ClientFamily family, IBufferWriter<byte> body)
    {
        _metrics.Failure(TrackerProtocol.Http, FailureReason.RateLimited, family);
        FailureBodies.Write(body, RefusedReason, _retryInSeconds, FailureResponseWriter.MinutesFromSeconds(_retryInSeconds));
    }
}
