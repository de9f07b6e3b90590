using Microsoft.Extensions.Options;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>Operator changes made here (passkeys, figures, list entries) waiting to be published: bounded, never blocking;
/// when full the oldest change goes (counted), and the periodic resync brings it back.</summary>
public sealed class OperatorSyncQueue(IOptions<SyncOptions> options, SyncMetrics metrics)
    : DropOldestQueue<OperatorChange>(options.Value.QueueCapacity, () => metrics.OperatorDropped(1));
