using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Schema;

namespace ServerlessTracker.Storage.Writes;

/// <summary>Group commit for the index table: the index rows of many swarms sharing an index partition leave together.</summary>
/// <remarks>
/// Every swarm writes its registry row and a due row once per purge bucket, and at each bucket boundary every active
/// swarm does so at once. The index table has only 16 partitions, so those writes are batched like peer writes: an
/// index partition has at most one transaction in flight from this instance, and the swarms queued meanwhile leave in
/// the next one (up to 50 swarms: two rows each). A swarm queued twice keeps its latest registry figures and every due
/// row it asked for. Each caller awaits its own transaction, so a peer is never answered before its purge visit is
/// scheduled; a failure fails exactly the callers in that transaction. A swarm this instance creates adds its journal row
/// to the same transaction, so a swarm is never registered without being journaled.
/// </remarks>
internal sealed class IndexCommitter(TableClient index, StoreResilience resilience, int maxBatchSize)
{
    private readonly IndexPartition[] _partitions = CreatePartitions();

    /// <summary>Upserts the swarm's registry row (its figures and last activity) and its due row for <paramref name="due"/>,
    /// and when <paramref name="created"/> its journal row (<see cref="IndexRows.JournalRowKey"/>), in one transaction.</summary>
    public Task TouchAsync(string hashHex, long due, SwarmCounts counts, uint now, bool created = false)
    {
        var digit = hashHex[0];
        var partition = _partitions[digit <= '9' ? digit - '0' : digit - 'a' + 10];
        var touch = new Touch(hashHex, due, counts, now, created);
        lock (partition.Gate)
        {
            partition.Queue.Add(touch);
            if (partition.Flushing)
            {
                return touch.Stored.Task;
            }

            partition.Flushing = true;
        }

        _ = FlushAsync(partition);
        return touch.Stored.Task;
    }

    private static IndexPartition[] CreatePartitions()
    {
        var partitions = new IndexPartition[16];
        var keys = IndexRows.AllPartitionKeys().ToArray();
        for (var i = 0; i < partitions.Length; i++)
        {
            partitions[i] = new IndexPartition(keys[i]);
        }

        return partitions;
    }

    private async Task FlushAsync(IndexPartition partition)
    {
        // Leave the caller's stack first: its announce goes on to submit its peer batch in parallel.
        await Task.Yield();
        while (true)
        {
            List<Touch> taken;
            lock (partition.Gate)
            {
                if (partition.Queue.Count == 0)
                {
                    partition.Flushing = false;
                    return;
                }

                taken = Take(partition.Queue, maxBatchSize);
            }

            Exception? failure = null;
            try
            {
                await resilience.SubmitTransactionAsync(index, Actions(partition.Key, taken)).ConfigureAwait(false);
            }
            catch (Exception exception)
            {
                failure = exception;
            }

            foreach (var touch in taken)
            {
                if (failure is null)
                {
                    touch.Stored.TrySetResult();
                }
                else
                {
                    touch.Stored.TrySetException(failure);
                }
            }
        }
    }

    /// <summary>Takes queued touches, in order, while their distinct rows fit in one transaction.</summary>
    private static List<Touch> Take(List<Touch> queue, int maxOperations)
    {
        var rows = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var touch in queue)
        {
            var registry = IndexRows.RegistryRowKey(touch.HashHex);
            var dueRow = IndexRows.DueRowKey(touch.Due, touch.HashHex);
            var journal = touch.Created ? IndexRows.JournalRowKey(touch.Now, touch.HashHex) : null;
            var needed = rows.Count + (rows.Contains(registry) ? 0 : 1) + (rows.Contains(dueRow) ? 0 : 1) + (journal is null || rows.Contains(journal) ? 0 : 1);
            if (needed > maxOperations && count > 0)
            {
                break;
            }

            rows.Add(registry);
            rows.Add(dueRow);
            if (journal is not null)
            {
                rows.Add(journal);
            }
            count++;
        }

        var taken = queue.GetRange(0, count);
        queue.RemoveRange(0, count);
        return taken;
    }

    private static List<TableTransactionAction> Actions(string partitionKey, List<Touch> taken)
    {
        // A transaction touches a row once: the latest figures of a swarm win, each due row is written once.
        var registries = new Dictionary<string, Touch>(taken.Count, StringComparer.Ordinal);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var actions = new List<TableTransactionAction>(taken.Count * 2);
        foreach (var touch in taken)
        {
            registries[touch.HashHex] = touch;
            var dueRow = IndexRows.DueRowKey(touch.Due, touch.HashHex);
            if (written.Add(dueRow))
            {
                actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(partitionKey, dueRow)));
            }

            if (touch.Created && written.Add(IndexRows.JournalRowKey(touch.Now, touch.HashHex)))
            {
                actions.Add(new(TableTransactionActionType.UpsertReplace, new TableEntity(partitionKey, IndexRows.JournalRowKey(touch.Now, touch.HashHex))));
            }
        }

        foreach (var (hashHex, touch) in registries)
        {
            actions.Add(new(TableTransactionActionType.UpsertMerge, new TableEntity(partitionKey, IndexRows.RegistryRowKey(hashHex))
            {
                [SwarmRows.Seeders] = touch.Counts.Complete,
                [SwarmRows.Leechers] = touch.Counts.Incomplete,
                [SwarmRows.Downloaded] = touch.Counts.Downloaded,
                [IndexRows.LastActivity] = (long)touch.Now,
            }));
        }

        return actions;
    }

    private sealed class IndexPartition(string key)
    {
        public string Key { get; } = key;

        public object Gate { get; } = new();

        public List<Touch> Queue { get; } = [];

        public bool Flushing { get; set; }
    }

    private sealed class Touch(string hashHex, long due, SwarmCounts counts, uint now, bool created)
    {
        public bool Created { get; } = created;

        public string HashHex { get; } = hashHex;

        public long Due { get; } = due;

        public SwarmCounts Counts { get; } = counts;

        public uint Now { get; } = now;

        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
