using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Swarms;
using ServerlessTracker.Storage.Writes;

namespace ServerlessTracker.Storage.Caching;

/// <summary>One swarm as this instance caches it: the engine's <see cref="Engine.Swarms.Swarm"/> loaded from the partition,
/// how fresh it is, and the partition's group-commit queue.</summary>
/// <remarks>Fields marked "under Gate" are read and written with <see cref="Gate"/> held; the writer fields belong to the
/// one flush loop a partition has at a time.</remarks>
internal sealed class SwarmEntry(InfoHash hash, Random random)
{
    public InfoHash Hash { get; } = hash;

    public string PartitionKey { get; } = hash.ToHex();

    public Lock Gate { get; } = new();

    /// <summary>Peer selection for this swarm (used under Gate).</summary>
    public Random Random { get; } = random;

    // Under Gate: the cached state.
    public Swarm Swarm = new();
    public bool Loaded;
    public long LoadedAtMs;
    public long LastUsedMs;
    public TaskCompletionSource? Refreshing;

    /// <summary>The partition holds more rows than one read: <see cref="Swarm"/> holds a random window and counts come from the summary row.</summary>
    public bool Partial;

    /// <summary>The partition has rows (a stop for an unknown peer of an unknown swarm writes nothing).</summary>
    public bool Exists;

    /// <summary>This instance is writing the swarm's first rows (the partition was empty): its index rows carry a journal row,
    /// so other instances learn of the new swarm (<see cref="SwarmDirectory"/>).</summary>
    public bool Created;

    /// <summary>Estimated bytes this entry holds, as counted in the store's cache total; 0 once it left the cache.</summary>
    public long Bytes;

    /// <summary>Removed from the store's cache (evicted, swept, dropped): a refresh of it no longer counts its bytes.</summary>
    public bool Evicted;

    /// <summary>Announces and replicated changes working on this entry; eviction and the idle sweep leave it while any do.</summary>
    public int Users;

    public long SummarySeeders;
    public long SummaryLeechers;
    public bool Recounting;

    // Under Gate: group commit.
    public readonly List<PendingWrite> Queue = [];
    public bool Flushing;

    /// <summary>The partition was emptied under this writer (an admin drop, a purge retirement): the next commit starts a
    /// new delta row and rewrites the index rows, instead of writing old cumulative counts back.</summary>
    public bool WriterReset;

    // Writer state, owned by the flush loop.
    public string? DeltaRowKey;
    public long DeltaCommitted;
    public uint DeltaWrittenAt;
    public long IndexedDue;

    /// <summary>Counts to answer with: the swarm's own for a whole partition, the summary's (and our downloaded) for a window.</summary>
    public SwarmCounts Counts => Partial ? new SwarmCounts(SummarySeeders, SummaryLeechers, Swarm.Downloaded) : Swarm.Counts;
}
