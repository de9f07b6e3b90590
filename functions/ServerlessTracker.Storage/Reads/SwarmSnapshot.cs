using Azure;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Storage.Reads;

/// <summary>What one refresh read from a swarm's partition.</summary>
internal sealed class SwarmSnapshot
{
    /// <summary>Live peers: all of them for a whole read, a random window for a large partition.</summary>
    public Swarm Swarm { get; } = new();

    /// <summary>The partition was too large to read whole: <see cref="Swarm"/> is a window.</summary>
    public bool Partial { get; set; }

    /// <summary>The partition has any row.</summary>
    public bool Exists { get; set; }

    /// <summary>Completions: the summary's folded count plus every delta row but <c>ownDeltaRowKey</c>.</summary>
    public long OthersDownloaded { get; set; }

    /// <summary>This instance's current delta row as read (0 when absent).</summary>
    public long OwnDownloaded { get; set; }

    /// <summary>This instance's current delta row was among the rows read.</summary>
    public bool OwnDeltaFound { get; set; }

    /// <summary>The summary row holds a count (large partitions).</summary>
    public bool Counted { get; set; }

    public long Seeders { get; set; }

    public long Leechers { get; set; }

    /// <summary>The summary row's version, for a recount's claim; null when the row is absent.</summary>
    public ETag? SummaryETag { get; set; }

    /// <summary>When the summary's count was taken, unix seconds.</summary>
    public long CountedAt { get; set; }
}
