using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>The bounded queue between announces and the publisher: never blocks an announce; when full, the oldest change goes.</summary>
public sealed class SyncQueue(IOptions<SyncOptions> options, SyncMetrics metrics)
    : DropOldestQueue<PeerUpdate>(options.Value.QueueCapacity, () => metrics.Dropped(1));
