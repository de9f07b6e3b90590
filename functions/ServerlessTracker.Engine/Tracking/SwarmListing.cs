using System.ComponentModel.DataAnnotations;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>How often the list of every swarm is read from the store (configuration section <c>Tracker:Listing</c>).</summary>
public sealed class SwarmListingSettings
{
    public const string Section = "Tracker:Listing";

    /// <summary>Seconds one list of every swarm is reused by everything that shows all of them (the stats page and its
    /// gauges, the full scrape) before it is read again, per instance. On Table Storage each read walks the swarm registry
    /// (a transaction per 1,000 swarms). Default 30.</summary>
    [Range(1, 86_400)]
    public int RefreshSeconds { get; set; } = 30;
}

/// <summary>One list of every swarm (<see cref="ISwarmStore.ListSwarmsAsync"/>) shared by every consumer on this instance,
/// read at most once per <see cref="SwarmListingSettings.RefreshSeconds"/>, by one caller at a time.</summary>
/// <remarks>Callers get the current list while it is fresh; when it is stale one of them reads the store and the others
/// wait for that read. A read that fails keeps the previous list, and the next try waits a period too: an outage never turns
/// into a read per request. The period counts from the end of a read, so a read longer than the period is not followed by
/// another at once.</remarks>
public sealed class SwarmListing(ISwarmStore store, SwarmListingSettings settings, TimeProvider time)
{
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly TimeSpan _period = TimeSpan.FromSeconds(settings.RefreshSeconds);
    private volatile Snapshot? _current;
    private DateTimeOffset _triedAt = DateTimeOffset.MinValue;
    private long _version;

    /// <summary>One list: the swarms, when the read ended, and a number that grows with every read (for caches built on it).</summary>
    public sealed record Snapshot(IReadOnlyList<SwarmSummary> Swarms, DateTimeOffset ReadAt, long Version);

    /// <summary>The last list read, or null before the first.</summary>
    public Snapshot? Current => _current;

    /// <summary>How many times the store was read.</summary>
    public long Reads => Interlocked.Read(ref _version);

    /// <summary>The current list, after reading the store when it is stale or missing.</summary>
    public async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        if (_current is { } current && !IsStale(current.ReadAt))
        {
            return current;
        }

        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = _current;
            if (current is not null && (!IsStale(current.ReadAt) || !IsStale(_triedAt)))
            {
                return current;
            }

            _triedAt = time.GetUtcNow();
            try
            {
                var swarms = await store.ListSwarmsAsync(cancellationToken).ConfigureAwait(false);
                current = new Snapshot(swarms, time.GetUtcNow(), Interlocked.Increment(ref _version));
                _current = current;
            }
            catch (Exception) when (current is not null && !cancellationToken.IsCancellationRequested)
            {
                // Serve the previous list; the next read waits a period.
            }

            return current;
        }
        finally
        {
            _reading.Release();
        }
    }

    private bool IsStale(DateTimeOffset at) => time.GetUtcNow() - at >= _period;
}
