using Azure.Messaging;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Receiving;

/// <summary>What applying one delivery did.</summary>
public readonly record struct SyncApplyReport(int Events, int Changes, int Applied, int OwnRegion, int Invalid, long NewestLagMs, int OperatorChanges = 0, int OperatorApplied = 0)
{
    public override string ToString() =>
        $"sync applied {Applied} of {Changes} peer changes and {OperatorApplied} of {OperatorChanges} operator changes from {Events} events; " +
        $"ignored {OwnRegion} own-region and {Invalid} invalid events; lag {NewestLagMs} ms";
}

/// <summary>Applies CloudEvents from other regions: peer changes to this region's store, operator changes (passkeys, their
/// figures, the access lists) through <see cref="OperatorEventApplier"/>.</summary>
/// <remarks>Idempotent and order-free (see <see cref="IPeerUpdateTarget"/>), so at-least-once, unordered delivery is safe.</remarks>
public sealed class SyncEventApplier(IPeerUpdateTarget target, IOptions<RegionOptions> region, SyncMetrics metrics, TimeProvider time, OperatorEventApplier? operators = null)
{
    private readonly string _ownSource = EventGridSyncPublisher.SourceFor(region.Value.Region);

    public async Task<SyncApplyReport> ApplyAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken)
    {
        int changes = 0, applied = 0, own = 0, invalid = 0, operatorChanges = 0, operatorApplied = 0;
        long newest = long.MinValue;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var cloudEvent in events)
        {
            var isPeers = string.Equals(cloudEvent.Type, EventGridSyncPublisher.EventType, StringComparison.Ordinal);
            var isOperator = operators is not null && string.Equals(cloudEvent.Type, OperatorSyncPublisher.EventType, StringComparison.Ordinal);
            if (!(isPeers || isOperator) || cloudEvent.Data is null)
            {
                invalid++;
                continue;
            }

            if (string.Equals(cloudEvent.Source, _ownSource, StringComparison.Ordinal))
            {
                own++;
                continue;
            }

            if (isOperator)
            {
                var report = await operators!.ApplyAsync(cloudEvent.Data, cancellationToken);
                invalid += report.Valid ? 0 : 1;
                operatorChanges += report.Changes;
                operatorApplied += report.Applied;
                metrics.OperatorReceived(report.Changes, report.Applied);
                continue;
            }

            var updates = PeerUpdateBatchCodec.Decode(cloudEvent.Data.ToMemory().Span, out _);
            if (updates is null)
            {
                invalid++;
                continue;
            }

            changes += updates.Length;
            applied += await target.ApplyAsync(updates, cancellationToken);
            foreach (var update in updates)
            {
                newest = Math.Max(newest, update.AnnouncedAtMs);
                metrics.RecordLag(Math.Max(0, now - update.AnnouncedAtMs));
            }
        }

        var lag = newest == long.MinValue ? 0 : Math.Max(0, now - newest);
        metrics.Received(changes, applied, lag);
        return new SyncApplyReport(events.Count, changes, applied, own, invalid, lag, operatorChanges, operatorApplied);
    }
}
