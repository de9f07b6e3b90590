using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Storage.Caching;
using ServerlessTracker.Storage.Schema;
using ServerlessTracker.Storage.Writes;

namespace ServerlessTracker.Storage;

/// <summary>Peer changes from other regions (cross-region sync), applied with the engine's rules and group-committed
/// like local announces.</summary>
/// <remarks>
/// The cached swarm decides with <see cref="Engine.Swarms.Swarm.ApplyRemote"/> (the later announce wins, a stop beats
/// older announces; stop tombstone rows are loaded as such). A remote completion counts once per (peer, announce time),
/// as the engine counts it, in any order and on any instance: its marker row (<c>c…</c>) is read first and written in the
/// same transaction as the count. Storage faults throw, so the delivery fails and Event Grid delivers it again.
/// </remarks>
public sealed partial class TableSwarmStore : IPeerUpdateTarget
{
    public async ValueTask<int> ApplyAsync(ReadOnlyMemory<PeerUpdate> updates, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var oldest = UnixTime.Before(UnixTime.Now(_time), _settings.PeerTtlSeconds);
        var writes = new List<PendingWrite>(updates.Length);
        var applied = 0;
        for (var i = 0; i < updates.Length; i++)
        {
            var update = updates.Span[i];
            if (update.AnnouncedAtSeconds < oldest)
            {
                continue;
            }

            var entry = Acquire(update.InfoHash);
            try
            {
                var refresh = EnsureFreshAsync(entry);
                if (!refresh.IsCompletedSuccessfully)
                {
                    await refresh.AsTask().WaitAsync(_budget, TimeProvider.System, CancellationToken.None).ConfigureAwait(false);
                }

                TableEntity? marker = null;
                if (update.Completed)
                {
                    var markerKey = SwarmRows.CompletionRowKey(update.PeerId, update.AnnouncedAtMs);
                    if (await _loader.RowExistsAsync(entry.PartitionKey, markerKey).ConfigureAwait(false))
                    {
                        update = update with { Completed = false };
                    }
                    else
                    {
                        marker = new TableEntity(entry.PartitionKey, markerKey) { [SwarmRows.LastSeen] = (long)update.AnnouncedAtSeconds };
                    }
                }

                var stored = NeedsStoredRow(entry, update) ? await ReadPeerAsync(entry, update.PeerId).ConfigureAwait(false) : null;

                var write = ApplyRemote(entry, update, oldest, marker, stored, out var startFlush, out var changed);
                if (write is null)
                {
                    continue;
                }

                applied += changed;
                writes.Add(write);
                if (startFlush)
                {
                    _ = _committer.FlushAsync(entry);
                }
            }
            finally
            {
                Release(entry);
            }
        }

        foreach (var write in writes)
        {
            if (!await write.Stored.WaitAsync(_budget, TimeProvider.System, CancellationToken.None).ConfigureAwait(false))
            {
                throw new TimeoutException("Table storage did not store replicated peer changes; the delivery should be retried.");
            }
        }

        return applied;
    }

    /// <summary>Whether a replicated change must first read the peer's row: the cache lacks the peer and the partition may
    /// hold it newer or keyed — a stop (it never overwrites a newer row), any change in a large swarm's window.</summary>
    private static bool NeedsStoredRow(SwarmEntry entry, in PeerUpdate update)
    {
        lock (entry.Gate)
        {
            return entry.Exists && !entry.Swarm.TryGet(update.PeerId, out _, out _)
                && (update.State == ReplicatedPeerState.Stopped || entry.Partial);
        }
    }

    private PendingWrite? ApplyRemote(SwarmEntry entry, in PeerUpdate update, uint oldest, TableEntity? marker, StoredPeer? stored, out bool startFlush, out int changedCount)
    {
        startFlush = false;
        changedCount = 0;
        lock (entry.Gate)
        {
            var swarm = entry.Swarm;
            if (stored is { } read)
            {
                swarm.Learn(read, oldest, _settings.RememberStops);
            }

            var downloaded = swarm.Downloaded;
            var changed = swarm.ApplyRemote(update, oldest);
            var present = swarm.TryGet(update.PeerId, out var peer, out var seeder);

            // A stop of a peer the partition does not hold (checked above when the cache could lack it) is still stored:
            // it was verified where it was made, and the tombstone must beat older announces arriving later at another
            // instance. Not when the swarm kept the peer (newer, or the stop failed the key rule) or knows a later stop.
            var laterStopStored = stored is { State: StoredPeerState.Stopped } tombstone && tombstone.Record.LastSeen >= update.AnnouncedAtSeconds;
            var stopToStore = !present && !laterStopStored && update.State == ReplicatedPeerState.Stopped
                && swarm.TryGetStop(update.PeerId, out var stoppedAt) && stoppedAt == update.AnnouncedAtSeconds;
            if (!changed && !stopToStore)
            {
                return null;
            }

            changedCount = changed ? 1 : 0;
            var counted = swarm.Downloaded > downloaded;
            var rowKey = SwarmRows.PeerRowKey(update.PeerId);
            TableEntity row;
            if (present)
            {
                if (counted && (peer.Flags & PeerFlags.CountedComplete) == 0)
                {
                    peer.Flags |= PeerFlags.CountedComplete;
                    swarm.Put(peer, seeder);
                }

                row = SwarmRows.PeerEntity(entry.PartitionKey, rowKey, peer, seeder);
            }
            else
            {
                row = SwarmRows.Tombstone(entry.PartitionKey, rowKey, update.AnnouncedAtSeconds, Departed(update));
            }

            MarkExists(entry);
            var write = new PendingWrite(row, counted, counted ? marker : null);
            startFlush = GroupCommitter.Enqueue(entry, write);
            return write;
        }
    }

    private static PeerRecord Departed(in PeerUpdate update) => new()
    {
        Id = update.PeerId,
        Address = update.Address,
        Port = update.Port,
        Key = update.HasKey ? update.Key : 0,
        Flags = update.HasKey ? PeerFlags.HasKey : PeerFlags.None,
        Uploaded = update.Uploaded,
        Downloaded = update.Downloaded,
    };
}
