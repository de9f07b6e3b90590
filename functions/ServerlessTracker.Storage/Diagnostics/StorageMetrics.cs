using System.Diagnostics.Metrics;

namespace ServerlessTracker.Storage.Diagnostics;

/// <summary>The store's counters: exported through the <c>ServerlessTracker.Storage</c> meter and readable as a snapshot.</summary>
/// <remarks>Each store instance owns one; the snapshot covers that instance only, so tests and benchmarks can compare.</remarks>
public sealed class StorageMetrics : IDisposable
{
    public const string MeterName = "ServerlessTracker.Storage";

    private static readonly KeyValuePair<string, object?> FullRead = new("kind", "full");
    private static readonly KeyValuePair<string, object?> JournalRead = new("kind", "journal");

    private readonly Meter _meter;
    private readonly Counter<long> _transactions;
    private readonly Counter<long> _batches;
    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _announces;
    private readonly Counter<long> _scrapes;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _unavailable;
    private readonly Counter<long> _purgedPeers;
    private readonly Counter<long> _peerReads;
    private readonly Counter<long> _insertConflicts;
    private readonly Counter<long> _unknownHashes;
    private readonly Counter<long> _evictions;
    private readonly Counter<long> _directoryReads;

    private long _transactionCount;
    private long _failedRequestCount;
    private long _batchCount;
    private long _batchedWriteCount;
    private long _announceCount;
    private long _scrapeCount;
    private long _hitCount;
    private long _missCount;
    private long _unavailableCount;
    private long _purgedPeerCount;
    private long _peerReadCount;
    private long _insertConflictCount;
    private long _unknownHashCount;
    private long _evictionCount;

    public StorageMetrics(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _transactions = _meter.CreateCounter<long>("tracker.storage.transactions", "{transaction}", "Table service requests answered (billed transactions), retries included.");
        _batches = _meter.CreateCounter<long>("tracker.storage.batches", "{batch}", "Entity group transactions committed by group commit.");
        _batchSize = _meter.CreateHistogram<int>("tracker.storage.batch.size", "{operation}", "Operations per committed group-commit batch.");
        _announces = _meter.CreateCounter<long>("tracker.storage.announces", "{announce}", "Announces handled by the Table store.");
        _scrapes = _meter.CreateCounter<long>("tracker.storage.scrapes", "{swarm}", "Swarms looked up for scrape.");
        _cacheHits = _meter.CreateCounter<long>("tracker.storage.cache.hits", "{lookup}", "Swarm lookups served from the instance cache.");
        _cacheMisses = _meter.CreateCounter<long>("tracker.storage.cache.misses", "{lookup}", "Swarm lookups that refreshed the cache from the partition.");
        _unavailable = _meter.CreateCounter<long>("tracker.storage.unavailable", "{announce}", "Announces refused because storage failed within the retry budget.");
        _purgedPeers = _meter.CreateCounter<long>("tracker.storage.purged.peers", "{peer}", "Expired or stopped peer rows deleted by purge.");
        _peerReads = _meter.CreateCounter<long>("tracker.storage.peer.reads", "{read}",
            "Point reads of a peer's row the cache lacked, before judging an announce or a replicated change by it (key rule, deltas, stops).");
        _insertConflicts = _meter.CreateCounter<long>("tracker.storage.insert.conflicts", "{transaction}",
            "Group-commit transactions refused because a new peer's row existed: the announce was judged again by the row.");
        _unknownHashes = _meter.CreateCounter<long>("tracker.storage.directory.unknown", "{hash}",
            "Info-hashes no swarm has, answered from the swarm directory without a Table read or a cache entry (scrapes, stops, new swarms).");
        _evictions = _meter.CreateCounter<long>("tracker.storage.cache.evictions", "{swarm}",
            "Swarms dropped from the instance cache, least recently used first, to keep it within CacheMaxSwarms and CacheMaxBytes.");
        _directoryReads = _meter.CreateCounter<long>("tracker.storage.directory.reads", "{read}",
            "Reads of the swarm registry by the swarm directory, by kind: full (every registry row) or journal (swarms created since).");
    }

    /// <summary>Hashes answered from the swarm directory without a read, since this store started.</summary>
    public long UnknownHashes => Interlocked.Read(ref _unknownHashCount);

    /// <summary>Swarms evicted from the cache, since this store started.</summary>
    public long Evictions => Interlocked.Read(ref _evictionCount);

    /// <summary>Publishes the cache's and the directory's size as gauges (<c>tracker.storage.cache.swarms</c>,
    /// <c>tracker.storage.cache.bytes</c>, <c>tracker.storage.directory.swarms</c>).</summary>
    internal void Observe(Func<long> cachedSwarms, Func<long> cachedBytes, Func<long> directorySwarms)
    {
        _meter.CreateObservableGauge("tracker.storage.cache.swarms", cachedSwarms, "{swarm}", "Swarms held in this instance's cache.");
        _meter.CreateObservableGauge("tracker.storage.cache.bytes", cachedBytes, "By", "Estimated bytes held by this instance's swarm cache.");
        _meter.CreateObservableGauge("tracker.storage.directory.swarms", directorySwarms, "{swarm}", "Swarms this instance knows exist (the swarm directory).");
    }

    /// <summary>Point reads of peer rows the cache lacked, since this store started.</summary>
    public long PeerReads => Interlocked.Read(ref _peerReadCount);

    /// <summary>Transactions refused because an insert-only peer row existed, since this store started.</summary>
    public long InsertConflicts => Interlocked.Read(ref _insertConflictCount);

    /// <summary>This instance's meter (several stores in one process publish under the same name).</summary>
    internal Meter Meter => _meter;

    /// <summary>Totals since this store started.</summary>
    public StorageMetricsSnapshot Snapshot() => new(
        Interlocked.Read(ref _transactionCount),
        Interlocked.Read(ref _failedRequestCount),
        Interlocked.Read(ref _batchCount),
        Interlocked.Read(ref _batchedWriteCount),
        Interlocked.Read(ref _announceCount),
        Interlocked.Read(ref _scrapeCount),
        Interlocked.Read(ref _hitCount),
        Interlocked.Read(ref _missCount),
        Interlocked.Read(ref _unavailableCount),
        Interlocked.Read(ref _purgedPeerCount));

    internal void Transaction()
    {
        Interlocked.Increment(ref _transactionCount);
        _transactions.Add(1);
    }

    internal void FailedRequest() => Interlocked.Increment(ref _failedRequestCount);

    internal void Batch(int operations, int writes)
    {
        Interlocked.Increment(ref _batchCount);
        Interlocked.Add(ref _batchedWriteCount, writes);
        _batches.Add(1);
        _batchSize.Record(operations);
    }

    internal void PeerRead()
    {
        Interlocked.Increment(ref _peerReadCount);
        _peerReads.Add(1);
    }

    internal void InsertConflict()
    {
        Interlocked.Increment(ref _insertConflictCount);
        _insertConflicts.Add(1);
    }

    internal void UnknownHash(int count = 1)
    {
        Interlocked.Add(ref _unknownHashCount, count);
        _unknownHashes.Add(count);
    }

    internal void Evicted()
    {
        Interlocked.Increment(ref _evictionCount);
        _evictions.Add(1);
    }

    internal void DirectoryRefreshed(bool full) => _directoryReads.Add(1, full ? FullRead : JournalRead);

    internal void Announce()
    {
        Interlocked.Increment(ref _announceCount);
        _announces.Add(1);
    }

    internal void Scrape(int swarms)
    {
        Interlocked.Add(ref _scrapeCount, swarms);
        _scrapes.Add(swarms);
    }

    internal void CacheHit()
    {
        Interlocked.Increment(ref _hitCount);
        _cacheHits.Add(1);
    }

    internal void CacheMiss()
    {
        Interlocked.Increment(ref _missCount);
        _cacheMisses.Add(1);
    }

    internal void Unavailable()
    {
        Interlocked.Increment(ref _unavailableCount);
        _unavailable.Add(1);
    }

    internal void Purged(int peers)
    {
        Interlocked.Add(ref _purgedPeerCount, peers);
        _purgedPeers.Add(peers);
    }

    public void Dispose() => _meter.Dispose();
}

/// <summary>A store's totals at one moment.</summary>
/// <param name="Transactions">Table requests that got an answer (what the service bills), retries included.</param>
/// <param name="FailedRequests">Table requests that got no answer (connection refused, timeout).</param>
/// <param name="Batches">Group-commit transactions committed.</param>
/// <param name="BatchedWrites">Announce writes those batches carried (before coalescing repeated peers).</param>
public readonly record struct StorageMetricsSnapshot(
    long Transactions,
    long FailedRequests,
    long Batches,
    long BatchedWrites,
    long Announces,
    long Scrapes,
    long CacheHits,
    long CacheMisses,
    long Unavailable,
    long PurgedPeers)
{
    /// <summary>Announce writes per committed batch.</summary>
    public double MeanBatchSize => Batches == 0 ? 0 : (double)BatchedWrites / Batches;

    /// <summary>Table transactions per announce (all of them: writes, reads, index upkeep).</summary>
    public double TransactionsPerAnnounce => Announces == 0 ? 0 : (double)Transactions / Announces;

    public StorageMetricsSnapshot Since(StorageMetricsSnapshot earlier) => new(
        Transactions - earlier.Transactions,
        FailedRequests - earlier.FailedRequests,
        Batches - earlier.Batches,
        BatchedWrites - earlier.BatchedWrites,
        Announces - earlier.Announces,
        Scrapes - earlier.Scrapes,
        CacheHits - earlier.CacheHits,
        CacheMisses - earlier.CacheMisses,
        Unavailable - earlier.Unavailable,
        PurgedPeers - earlier.PurgedPeers);
}
