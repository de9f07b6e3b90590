using System.Collections.Concurrent;
using System.Diagnostics;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Storage.Diagnostics;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Storage.Reads;
using ServerlessTracker.Storage.Schema;
using ServerlessTracker.Storage.Writes;

namespace ServerlessTracker.Storage.Purging;

/// <summary>Purge: visits only the swarms whose schedule rows are due, deletes their expired and stopped peers in
/// batches, folds old delta rows into the summary, retires empty swarms, and refreshes the registry's figures.</summary>
internal sealed partial class SwarmPurger(
    TableClient swarms,
    TableClient index,
    TableStoreOptions options,
    SwarmSettings settings,
    StoreResilience resilience,
    StorageMetrics metrics,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>Delta rows unwritten this long are folded into the summary; their writers moved on long ago
    /// (<see cref="GroupCommitter.DeltaRowIdleSeconds"/>).</summary>
    public const int FoldAfterSeconds = 3600;

    private static readonly string[] VisitSelect =
        ["RowKey", SwarmRows.LastSeen, SwarmRows.State, SwarmRows.DeltaCount, SwarmRows.DeltaWritten, SwarmRows.Downloaded];

    private static readonly string[] RegistrySelect = ["RowKey", SwarmRows.Seeders, SwarmRows.Leechers, SwarmRows.Downloaded];

    private readonly ConcurrentQueue<InfoHash> _changed = new();
    private readonly ConcurrentQueue<InfoHash> _retired = new();

    /// <summary>Swarms a purge retired since the last call, so the swarm directory forgets them.</summary>
    public IEnumerable<InfoHash> TakeRetired()
    {
        while (_retired.TryDequeue(out var hash))
        {
            yield return hash;
        }
    }

    /// <summary>Swarms whose partition a purge changed since the last call, so caches can drop them.</summary>
    public IEnumerable<InfoHash> TakeChanged()
    {
        while (_changed.TryDequeue(out var hash))
        {
            yield return hash;
        }
    }

    public async Task<PurgeReport> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = UnixTime.Now(time);
        var due = await ReadDueAsync(now, cancellationToken).ConfigureAwait(false);
        int visited = 0, peersRemoved = 0, swarmsRemoved = 0;
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = options.PurgeParallelism, CancellationToken = cancellationToken }, async (pair, ct) =>
        {
            try
            {
                var (peers, retired) = await VisitAsync(pair.Key, now).ConfigureAwait(false);
                await DeleteDueRowsAsync(pair.Value).ConfigureAwait(false);
                Interlocked.Increment(ref visited);
                Interlocked.Add(ref peersRemoved, peers);
                Interlocked.Add(ref swarmsRemoved, retired ? 1 : 0);
            }
            catch (Exception exception) when (StoreResilience.IsFault(exception) || exception is RequestFailedException)
            {
                // The due rows stay: the next run visits this swarm again.
                LogVisitFailed(logger, pair.Key.ToHex(), exception.Message);
            }
        }).ConfigureAwait(false);

        await DeleteOldJournalAsync(now).ConfigureAwait(false);
        metrics.Purged(peersRemoved);
        return new PurgeReport(visited, peersRemoved, swarmsRemoved, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Every swarm in the registry with its last recorded figures (full scrape).</summary>
    public async Task<List<(InfoHash Hash, SwarmCounts Counts)>> ListRegistryAsync(CancellationToken cancellationToken)
    {
        var filter = $"RowKey ge '{IndexRows.RegistryPrefix}' and RowKey lt '{IndexRows.RegistryEnd}'";
        var rows = await QueryAsync(index, filter, RegistrySelect, cancellationToken).ConfigureAwait(false);
        var list = new List<(InfoHash, SwarmCounts)>(rows.Count);
        foreach (var row in rows)
        {
            if (IndexRows.TryParseRegistryRowKey(row.RowKey, out var hash))
            {
                list.Add((hash, new SwarmCounts(row.GetInt64(SwarmRows.Seeders) ?? 0, row.GetInt64(SwarmRows.Leechers) ?? 0, row.GetInt64(SwarmRows.Downloaded) ?? 0)));
            }
        }

        return list;
    }

    private async Task<Dictionary<InfoHash, List<string>>> ReadDueAsync(uint now, CancellationToken cancellationToken)
    {
        var due = new Dictionary<InfoHash, List<string>>();
        foreach (var partition in IndexRows.AllPartitionKeys())
        {
            var filter = $"PartitionKey eq '{partition}' and RowKey ge '{IndexRows.DuePrefix}' and RowKey lt '{IndexRows.DueBound(now + 1L)}'";
            foreach (var row in await QueryAsync(index, filter, ["RowKey"], cancellationToken).ConfigureAwait(false))
            {
                if (!IndexRows.TryParseDueRowKey(row.RowKey, out _, out var hash))
                {
                    continue;
                }

                if (!due.TryGetValue(hash, out var keys))
                {
                    if (due.Count >= options.PurgeMaxSwarmsPerRun)
                    {
                        continue;
                    }

                    due[hash] = keys = [];
                }

                keys.Add(row.RowKey);
            }
        }

        return due;
    }

    private async Task<(int PeersRemoved, bool Retired)> VisitAsync(InfoHash hash, uint now)
    {
        var partition = SwarmRows.PartitionKey(hash);
        var cutoff = UnixTime.Before(now, settings.PeerTtlSeconds);
        var rows = await QueryAsync(swarms, $"PartitionKey eq '{partition}'", VisitSelect, CancellationToken.None).ConfigureAwait(false);

        var expired = new List<(string RowKey, ETag ETag)>();
        var counters = new List<(string RowKey, ETag ETag)>();
        var markers = new List<(string RowKey, ETag ETag)>();
        var foldable = new List<(string RowKey, ETag ETag, long Count)>();
        TableEntity? summary = null;
        long seeders = 0, leechers = 0, downloaded = 0, lastActivity = 0;
        uint oldestLive = uint.MaxValue;
        var foldBefore = now - (long)FoldAfterSeconds;
        foreach (var row in rows)
        {
            var key = row.RowKey;
            if (key.StartsWith(SwarmRows.PeerPrefix, StringComparison.Ordinal))
            {
                var seen = row.GetInt64(SwarmRows.LastSeen) ?? 0;
                var state = row.GetInt32(SwarmRows.State) ?? SwarmRows.Stopped;
                lastActivity = Math.Max(lastActivity, seen);
                if (state == SwarmRows.Stopped || seen < cutoff)
                {
                    expired.Add((key, row.ETag));
                }
                else
                {
                    oldestLive = Math.Min(oldestLive, (uint)seen);
                    _ = state == SwarmRows.Seeder ? seeders++ : leechers++;
                }
            }
            else if (key.StartsWith(SwarmRows.CompletionPrefix, StringComparison.Ordinal))
            {
                // A replicated completion's marker: redeliveries stop once it is older than the TTL.
                if ((row.GetInt64(SwarmRows.LastSeen) ?? 0) < cutoff)
                {
                    markers.Add((key, row.ETag));
                }
            }
            else if (key == SwarmRows.Summary)
            {
                summary = row;
                downloaded += row.GetInt64(SwarmRows.Downloaded) ?? 0;
                counters.Add((key, row.ETag));
            }
            else if (key.StartsWith(SwarmRows.DeltaPrefix, StringComparison.Ordinal))
            {
                var count = row.GetInt64(SwarmRows.DeltaCount) ?? 0;
                var written = row.GetInt64(SwarmRows.DeltaWritten) ?? 0;
                downloaded += count;
                lastActivity = Math.Max(lastActivity, written);
                counters.Add((key, row.ETag));
                if (written < foldBefore)
                {
                    foldable.Add((key, row.ETag, count));
                }
            }
        }

        var removed = await DeleteRowsAsync(swarms, partition, expired).ConfigureAwait(false);
        await DeleteRowsAsync(swarms, partition, markers).ConfigureAwait(false);
        if (removed > 0)
        {
            _changed.Enqueue(hash);
        }

        var indexPartition = IndexRows.PartitionKey(partition);
        if (seeders + leechers == 0 && (downloaded == 0 || lastActivity < now - (long)settings.EmptySwarmRetentionSeconds))
        {
            // Empty and retired: the summary, the deltas and the registry row go too.
            await DeleteRowsAsync(swarms, partition, counters).ConfigureAwait(false);
            await DeleteRowsAsync(index, indexPartition, [(IndexRows.RegistryRowKey(partition), ETag.All)]).ConfigureAwait(false);
            _changed.Enqueue(hash);
            _retired.Enqueue(hash);
            return (removed, rows.Count > 0);
        }

        if (foldable.Count > 0)
        {
            await FoldAsync(partition, summary, foldable).ConfigureAwait(false);
        }

        if (rows.Count > options.FullReadMaxRows && seeders + leechers > 0)
        {
            // A large swarm: this visit read every row anyway, so its count is free.
            await UpsertAsync(swarms, new TableEntity(partition, SwarmRows.Summary)
            {
                [SwarmRows.Seeders] = seeders,
                [SwarmRows.Leechers] = leechers,
                [SwarmRows.CountedAt] = (long)now,
            }).ConfigureAwait(false);
        }

        // Visit again when the oldest live peer can expire, or when an empty swarm's retention ends.
        var next = seeders + leechers > 0
            ? IndexRows.DueAfterWrite(oldestLive, options.PurgeBucketSeconds, settings.PeerTtlSeconds)
            : IndexRows.DueAfterWrite((uint)Math.Min(uint.MaxValue, lastActivity), options.PurgeBucketSeconds, settings.EmptySwarmRetentionSeconds);
        TableTransactionAction[] registry =
        [
            new(TableTransactionActionType.UpsertReplace, new TableEntity(indexPartition, IndexRows.DueRowKey(next, partition))),
            new(TableTransactionActionType.UpsertMerge, new TableEntity(indexPartition, IndexRows.RegistryRowKey(partition))
            {
                [SwarmRows.Seeders] = seeders,
                [SwarmRows.Leechers] = leechers,
                [SwarmRows.Downloaded] = downloaded,
            }),
        ];
        await SubmitAsync(index, registry).ConfigureAwait(false);
        return (removed, false);
    }

    /// <summary>Moves old delta rows' counts into the summary: one transaction, the summary guarded by its ETag, so a
    /// concurrent fold or recount makes this one fail (and the next run retry) instead of counting twice.</summary>
    private async Task FoldAsync(string partition, TableEntity? summary, List<(string RowKey, ETag ETag, long Count)> foldable)
    {
        var chunk = foldable.Count > 99 ? foldable.GetRange(0, 99) : foldable;
        long sum = 0;
        var actions = new List<TableTransactionAction>(chunk.Count + 1);
        foreach (var (rowKey, etag, count) in chunk)
        {
            sum += count;
            actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), etag));
        }

        var base_ = summary?.GetInt64(SwarmRows.Downloaded) ?? 0;
        var folded = new TableEntity(partition, SwarmRows.Summary) { [SwarmRows.Downloaded] = base_ + sum };
        actions.Add(summary is null
            ? new TableTransactionAction(TableTransactionActionType.Add, folded)
            : new TableTransactionAction(TableTransactionActionType.UpdateMerge, folded, summary.ETag));
        try
        {
            await SubmitAsync(swarms, actions).ConfigureAwait(false);
        }
        catch (RequestFailedException conflict) when (conflict.Status is 404 or 409 or 412)
        {
            LogFoldConflict(logger, partition);
        }
    }

    /// <summary>Deletes journal rows older than <see cref="IndexRows.JournalRetentionSeconds"/>: every instance has read them
    /// long since (and a new one reads the registry whole). One range query per index partition, deletes in batches.</summary>
    private async Task DeleteOldJournalAsync(uint now)
    {
        var before = IndexRows.JournalBound(now - (long)IndexRows.JournalRetentionSeconds);
        foreach (var partition in IndexRows.AllPartitionKeys())
        {
            try
            {
                var filter = $"PartitionKey eq '{partition}' and RowKey ge '{IndexRows.JournalPrefix}' and RowKey lt '{before}'";
                var rows = await QueryAsync(index, filter, ["RowKey"], CancellationToken.None).ConfigureAwait(false);
                if (rows.Count > 0)
                {
                    await DeleteRowsAsync(index, partition, rows.ConvertAll(static r => (r.RowKey, ETag.All))).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (StoreResilience.IsFault(exception) || exception is RequestFailedException)
            {
                // The next run deletes them.
                LogJournalFailed(logger, partition, exception.Message);
            }
        }
    }

    private async Task DeleteDueRowsAsync(List<string> rowKeys)
    {
        if (rowKeys.Count == 0 || !IndexRows.TryParseDueRowKey(rowKeys[0], out _, out var hash))
        {
            return;
        }

        var partition = IndexRows.PartitionKey(hash.ToHex());
        var rows = new List<(string, ETag)>(rowKeys.Count);
        foreach (var key in rowKeys)
        {
            rows.Add((key, ETag.All));
        }

        await DeleteRowsAsync(index, partition, rows).ConfigureAwait(false);
    }

    /// <summary>Deletes rows of one partition in transactions of up to 100, each guarded by its ETag; a row changed or
    /// gone since it was read is left out and the rest go again. Returns how many were deleted.</summary>
    private async Task<int> DeleteRowsAsync(TableClient table, string partition, List<(string RowKey, ETag ETag)> rows)
    {
        var deleted = 0;
        for (var start = 0; start < rows.Count; start += 100)
        {
            var chunk = rows.GetRange(start, Math.Min(100, rows.Count - start));
            for (var attempt = 0; attempt < 5 && chunk.Count > 0; attempt++)
            {
                var actions = new List<TableTransactionAction>(chunk.Count);
                foreach (var (rowKey, etag) in chunk)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), etag));
                }

                try
                {
                    await SubmitAsync(table, actions).ConfigureAwait(false);
                    deleted += chunk.Count;
                    break;
                }
                catch (TableTransactionFailedException failed) when (failed.Status is 404 or 412 && failed.FailedTransactionActionIndex is { } index && index < chunk.Count)
                {
                    // Re-announced (412) or already deleted (404) since the read: keep it, delete the others.
                    chunk = [.. chunk[..index], .. chunk[(index + 1)..]];
                }
                catch (RequestFailedException failed) when (failed.Status is 404 or 412 && chunk.Count == 1)
                {
                    break;
                }
            }
        }

        return deleted;
    }

    private async Task UpsertAsync(TableClient table, TableEntity entity)
    {
        await resilience.ExecuteBackgroundAsync(static async (s, ct) =>
        {
            await s.table.UpsertEntityAsync(s.entity, TableUpdateMode.Merge, ct).ConfigureAwait(false);
            return true;
        }, (table, entity), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task SubmitAsync(TableClient table, IReadOnlyList<TableTransactionAction> actions)
    {
        await resilience.ExecuteBackgroundAsync(static async (s, ct) =>
        {
            await s.table.SubmitTransactionAsync(s.actions, ct).ConfigureAwait(false);
            return true;
        }, (table, actions), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<List<TableEntity>> QueryAsync(TableClient table, string filter, IEnumerable<string> select, CancellationToken cancellationToken)
    {
        return await resilience.ExecuteBackgroundAsync(static async (s, ct) =>
        {
            var rows = new List<TableEntity>();
            await foreach (var row in s.table.QueryAsync<TableEntity>(s.filter, 1000, s.select, ct).ConfigureAwait(false))
            {
                rows.Add(row);
            }

            return rows;
        }, (table, filter, select), cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purge of swarm {Swarm} failed; it stays due: {Reason}")]
    private static partial void LogVisitFailed(ILogger logger, string swarm, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deleting old journal rows of index partition {Partition} failed; the next purge retries: {Reason}")]
    private static partial void LogJournalFailed(ILogger logger, string partition, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fold of delta rows in {Partition} lost a race; the next purge retries")]
    private static partial void LogFoldConflict(ILogger logger, string partition);
}
