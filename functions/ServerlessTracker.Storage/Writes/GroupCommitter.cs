using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Caching;
using ServerlessTracker.Storage.Diagnostics;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Storage.Schema;

namespace ServerlessTracker.Storage.Writes;

/// <summary>Group commit: the writes queued on one partition go out as entity group transactions, one at a time.</summary>
/// <remarks>
/// A partition has at most one transaction in flight from this instance; writes arriving meanwhile queue and leave
/// together in the next one (up to <see cref="TableStoreOptions.MaxBatchSize"/> operations). A transaction may touch
/// a row once, so repeated writes of one peer coalesce (the last wins) and all their announces complete with it.
/// Counted completions add one upsert of this instance's delta row, in the same transaction as the peers' flags, so
/// a completion is counted exactly when its peer row is stored. Once per purge bucket the swarm's index rows are
/// written too, in parallel, through the index table's own group commit (<see cref="IndexCommitter"/>). Every waiting announce learns the outcome.
/// </remarks>
internal sealed partial class GroupCommitter(
    TableClient swarms,
    TableClient index,
    TableStoreOptions options,
    SwarmSettings settings,
    StoreResilience resilience,
    StorageMetrics metrics,
    TimeProvider time,
    string instanceId,
    ILogger logger)
{
    /// <summary>A delta row idle this long is never written again (a new generation starts), so purge may fold it.</summary>
    public const int DeltaRowIdleSeconds = 900;

    private readonly IndexCommitter _index = new(index, resilience, options.MaxBatchSize);
    private uint _generation;

    /// <summary>Queues a write; call with the entry's Gate held, then <see cref="FlushAsync"/> when this returns true.</summary>
    public static bool Enqueue(SwarmEntry entry, PendingWrite write)
    {
        entry.Queue.Add(write);
        if (entry.Flushing)
        {
            return false;
        }

        entry.Flushing = true;
        return true;
    }

    /// <summary>Commits the entry's queue until it is empty; never throws.</summary>
    public async Task FlushAsync(SwarmEntry entry)
    {
        try
        {
            while (true)
            {
                if (options.GroupCommitDelayMilliseconds > 0)
                {
                    await Task.Delay(options.GroupCommitDelayMilliseconds).ConfigureAwait(false);
                }

                List<PendingWrite> taken;
                bool created;
                lock (entry.Gate)
                {
                    if (entry.Queue.Count == 0)
                    {
                        entry.Flushing = false;
                        return;
                    }

                    taken = Take(entry.Queue, options.MaxBatchSize);
                    created = entry.Created;
                    entry.Created = false;
                    if (entry.WriterReset)
                    {
                        entry.WriterReset = false;
                        entry.DeltaRowKey = null;
                        entry.DeltaCommitted = 0;
                        entry.IndexedDue = 0;
                    }
                }

                await CommitAsync(entry, taken, created).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            LogFlushBug(logger, exception);
            lock (entry.Gate)
            {
                foreach (var write in entry.Queue)
                {
                    write.Complete(false);
                }

                entry.Queue.Clear();
                entry.Flushing = false;
                entry.Loaded = false;
            }
        }
    }

    private static List<PendingWrite> Take(List<PendingWrite> queue, int maxOperations)
    {
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var completions = false;
        var count = 0;
        foreach (var write in queue)
        {
            var newRows = (rows.Contains(write.RowKey) ? 0 : 1) + (write.Marker is { } m && !rows.Contains(m.RowKey) ? 1 : 0);
            var needed = rows.Count + newRows + (completions || write.CountedCompletion ? 1 : 0);
            if (needed > maxOperations && count > 0)
            {
                break;
            }

            rows.Add(write.RowKey);
            if (write.Marker is { } marker)
            {
                rows.Add(marker.RowKey);
            }

            completions |= write.CountedCompletion;
            count++;
        }

        var taken = queue.GetRange(0, count);
        queue.RemoveRange(0, count);
        return taken;
    }

    /// <param name="created">This batch writes the swarm's first rows: its index rows carry a journal row.</param>
    private async Task CommitAsync(SwarmEntry entry, List<PendingWrite> taken, bool created)
    {
        var actions = new List<TableTransactionAction>(taken.Count + 1);
        var positions = new Dictionary<string, int>(taken.Count, StringComparer.Ordinal);
        var completions = 0;
        foreach (var write in taken)
        {
            Add(write.Entity, write.InsertOnly);
            if (write.Marker is { } marker)
            {
                Add(marker, insertOnly: false);
            }

            completions += write.CountedCompletion ? 1 : 0;
        }

        void Add(TableEntity row, bool insertOnly)
        {
            if (positions.TryGetValue(row.RowKey, out var position))
            {
                // Coalesced: the last entity wins, and a row any write of the batch must insert stays an insert, so a
                // second announce of the same unverified peer cannot turn the check into a replace.
                var insert = insertOnly || actions[position].ActionType == TableTransactionActionType.Add;
                actions[position] = new TableTransactionAction(insert ? TableTransactionActionType.Add : TableTransactionActionType.UpsertReplace, row);
            }
            else
            {
                positions.Add(row.RowKey, actions.Count);
                actions.Add(new TableTransactionAction(insertOnly ? TableTransactionActionType.Add : TableTransactionActionType.UpsertReplace, row));
            }
        }

        var now = UnixTime.Now(time);
        var cumulative = entry.DeltaCommitted;
        if (completions > 0)
        {
            if (entry.DeltaRowKey is null || now - entry.DeltaWrittenAt > DeltaRowIdleSeconds)
            {
                entry.DeltaRowKey = SwarmRows.DeltaRowKey(instanceId, Interlocked.Increment(ref _generation));
                entry.DeltaCommitted = cumulative = 0;
            }

            cumulative += completions;
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(entry.PartitionKey, entry.DeltaRowKey)
            {
                [SwarmRows.DeltaCount] = cumulative,
                [SwarmRows.DeltaWritten] = (long)now,
            }));
        }

        var due = IndexRows.DueAfterWrite(now, options.PurgeBucketSeconds, settings.PeerTtlSeconds);
        var indexTask = entry.IndexedDue == due && !created ? Task.CompletedTask : TouchIndexAsync(entry, due, now, created);
        var batchTask = resilience.SubmitTransactionAsync(swarms, actions);
        bool stored;
        try
        {
            await Task.WhenAll(batchTask, indexTask).ConfigureAwait(false);
            stored = true;
        }
        catch (Exception exception)
        {
            if (ExistingInsert(batchTask, actions) is { } existing)
            {
                // One insert found its row: the transaction stored nothing. Its writes are judged again by their announces
                // (which read the row); the others go first in the next transaction.
                await RequeueAfterExistingInsertAsync(entry, taken, existing, indexTask, due, created).ConfigureAwait(false);
                return;
            }

            stored = false;
            if (!StoreResilience.IsFault(exception))
            {
                LogCommitFailed(logger, entry.PartitionKey, exception);
            }
        }

        if (stored)
        {
            entry.DeltaCommitted = cumulative;
            if (completions > 0)
            {
                entry.DeltaWrittenAt = now;
            }

            entry.IndexedDue = due;
            metrics.Batch(actions.Count, taken.Count);
        }
        else
        {
            if (batchTask.IsCompletedSuccessfully)
            {
                // The peers are durable though the index write failed: keep the delta, retry the index next batch.
                entry.DeltaCommitted = cumulative;
                entry.DeltaWrittenAt = completions > 0 ? now : entry.DeltaWrittenAt;
            }

            lock (entry.Gate)
            {
                // What the cache holds may now differ from the partition: read it again before the next answer.
                entry.Loaded = false;
                entry.Created |= created && !indexTask.IsCompletedSuccessfully;
            }
        }

        foreach (var write in taken)
        {
            write.Complete(stored);
        }
    }

    /// <summary>The row key of the insert (<c>Add</c>) that failed the transaction because its row exists, if that is why.</summary>
    private static string? ExistingInsert(Task batch, List<TableTransactionAction> actions) =>
        batch.Exception?.InnerException is TableTransactionFailedException { Status: 409, FailedTransactionActionIndex: int index }
            && index >= 0 && index < actions.Count && actions[index].ActionType == TableTransactionActionType.Add
            ? actions[index].Entity.RowKey
            : null;

    private async Task RequeueAfterExistingInsertAsync(SwarmEntry entry, List<PendingWrite> taken, string rowKey, Task indexTask, long due, bool created)
    {
        metrics.InsertConflict();
        var index = await Task.WhenAny(indexTask).ConfigureAwait(false);
        lock (entry.Gate)
        {
            if (index.IsCompletedSuccessfully)
            {
                entry.IndexedDue = due;
            }
            else
            {
                entry.Created |= created;
            }

            var retry = new List<PendingWrite>(taken.Count);
            foreach (var write in taken)
            {
                if (write.RowKey == rowKey)
                {
                    write.CompleteExisting();
                }
                else
                {
                    retry.Add(write);
                }
            }

            entry.Queue.InsertRange(0, retry);
        }
    }

    private Task TouchIndexAsync(SwarmEntry entry, long due, uint now, bool created)
    {
        SwarmCounts counts;
        lock (entry.Gate)
        {
            counts = entry.Counts;
        }

        return _index.TouchAsync(entry.PartitionKey, due, counts, now, created);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit to partition {Partition} failed")]
    private static partial void LogCommitFailed(ILogger logger, string partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Group commit loop failed")]
    private static partial void LogFlushBug(ILogger logger, Exception exception);
}
