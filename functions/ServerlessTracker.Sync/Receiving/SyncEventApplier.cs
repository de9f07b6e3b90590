using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Receiving;

/// <summary>What applying one delivery did.</summary>
/// <param name="Refused">Peer and operator changes refused for being dated beyond now plus the allowed clock skew.</param>
public readonly record struct SyncApplyReport(int Events, int Changes, int Applied, int OwnRegion, int Invalid, long NewestLagMs, int OperatorChanges = 0, int OperatorApplied = 0, int Refused = 0)
{
    public override string ToString() =>
        $"sync applied {Applied} of {Changes} peer changes and {OperatorApplied} of {OperatorChanges} operator changes from {Events} events; " +
        $"ignored {OwnRegion} own-region and {Invalid} invalid events; refused {Refused} changes dated in the future; lag {NewestLagMs} ms";
}

/// <summary>Applies CloudEvents from other regions: peer changes to this region's store, operator changes (passkeys, their
/// figures, the access lists) through <see cref="OperatorEventApplier"/>.</summary>
/// <remarks>Idempotent and order-free (see <see cref="IPeerUpdateTarget"/>), so at-least-once, unordered delivery is safe.
/// A peer change dated beyond now plus <see cref="SyncOptions.MaxClockSkewSeconds"/> is refused and counted, never applied
/// (nor rewritten to now, which would reorder a region's changes); those within it are applied as dated.</remarks>
public sealed class SyncEventApplier(IPeerUpdateTarget target, IOptions<RegionOptions> region, SyncMetrics metrics, TimeProvider time, OperatorEventApplier? operators = null, IOptions<SyncOptions>? options = null)
{
    private readonly string _ownSource = EventGridSyncPublisher.SourceFor(region.Value.Region);
    private readonly long _maxSkewMs = (options?.Value ?? new SyncOptions()).MaxClockSkewSeconds * 1000L;

    public async Task<SyncApplyReport> ApplyAsync(IReadOnlyList<SyncCloudEvent> events, CancellationToken cancellationToken)
    {
        int changes = 0, applied = 0, own = 0, invalid = 0, operatorChanges = 0, operatorApplied = 0, refused = 0;
        long newest = long.MinValue;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var cloudEvent in events)
        {
            var isPeers = string.Equals(cloudEvent.Type, EventGridSyncPublisher.EventType, StringComparison.Ordinal);
            var isOperator = operators is not null && string.Equals(cloudEvent.Type, OperatorSyncPublisher.EventType, StringComparison.Ordinal);
            if (!(isPeers || isOperator) || cloudEvent.DataForm == CloudEventDataForm.None)
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
                var report = await operators!.ApplyAsync(new BinaryData(cloudEvent.Data), cancellationToken);
                invalid += report.Valid ? 0 : 1;
                operatorChanges += report.Changes;
                operatorApplied += report.Applied;
                refused += report.Refused;
                metrics.OperatorReceived(report.Changes, report.Applied);
                metrics.Refused(report.Refused, operatorChanges: true);
                continue;
            }

            var updates = PeerUpdateBatchCodec.Decode(cloudEvent.Data.Span, out _);
            if (updates is null)
            {
                invalid++;
                continue;
            }

            changes += updates.Length;
            var accepted = WithinSkew(updates, now + _maxSkewMs);
            refused += updates.Length - accepted.Length;
            metrics.Refused(updates.Length - accepted.Length, operatorChanges: false);
            applied += await target.ApplyAsync(accepted, cancellationToken);
            foreach (var update in accepted)
            {
                newest = Math.Max(newest, update.AnnouncedAtMs);
                metrics.RecordLag(Math.Max(0, now - update.AnnouncedAtMs));
            }
        }

        var lag = newest == long.MinValue ? 0 : Math.Max(0, now - newest);
        metrics.Received(changes, applied, lag);
        return new SyncApplyReport(events.Count, changes, applied, own, invalid, lag, operatorChanges, operatorApplied, refused);
    }

    /// <summary>The updates dated at most <paramref name="latestMs"/> (the same array when all are).</summary>
    private static PeerUpdate[] WithinSkew(PeerUpdate[] updates, long latestMs)
    {
        var late = 0;
        foreach (var update in updates)
        {
            late += update.AnnouncedAtMs > latestMs ? 1 : 0;
        }

        if (late == 0)
        {
            return updates;
        }

        var accepted = new PeerUpdate[updates.Length - late];
        var i = 0;
        foreach (var update in updates)
        {
            if (update.AnnouncedAtMs <= latestMs)
            {
                accepted[i++] = update;
            }
        }

        return accepted;
    }
}
