using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Reads;
using ServerlessTracker.Storage.Schema;

namespace ServerlessTracker.Storage;

/// <summary>Administration of one swarm (the admin API's inspect and drop): reads a bounded page of its partition, or
/// deletes the whole partition and its registry row.</summary>
/// <remarks>
/// Inspect reads the counter rows and peer rows in row key order (a random sample, as peer row keys start with a hash of
/// the peer id), page by page, until it holds the peers asked for or has scanned that many rows plus one page; counts
/// are exact when the scan reached the partition's end, and otherwise those announces are answered with (the cache's,
/// from the summary row for a large swarm). Drop deletes rows in entity group transactions of up to 100, a page of keys
/// at a time, then the registry row; the swarm's purge schedule rows are left for purge, which finds the partition empty
/// and deletes them. This instance forgets the swarm at once; other instances when their cached copy is next refreshed
/// (<see cref="Hosting.TableStoreOptions.CacheStalenessMilliseconds"/>), when they also stop writing their old counts back.
/// </remarks>
public sealed partial class TableSwarmStore : ISwarmInspector
{
    private static readonly string[] InspectCounterSelect = ["RowKey", SwarmRows.Downloaded, SwarmRows.DeltaCount, SwarmRows.DeltaWritten];
    private static readonly string[] KeySelect = ["RowKey"];

    public async ValueTask<SwarmDetails?> InspectAsync(InfoHash hash, int maxPeers, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var partition = SwarmRows.PartitionKey(hash);
        var cutoff = UnixTime.Before(UnixTime.Now(_time), _settings.PeerTtlSeconds);
        maxPeers = Math.Max(0, maxPeers);

        var countersTask = QueryPageAsync(
            $"PartitionKey eq '{partition}' and ((RowKey eq '{SwarmRows.Summary}') or (RowKey ge '{SwarmRows.DeltaPrefix}' and RowKey lt '{SwarmRows.CountersEnd}'))",
            InspectCounterSelect, null, 1000, cancellationToken);

        var peers = new List<PeerView>(Math.Min(maxPeers, 1000));
        long seeders = 0, leechers = 0, downloaded = 0;
        uint lastActivity = 0;
        var scanned = 0;
        var any = false;
        string? continuation = null;
        do
        {
            var page = await QueryPageAsync(
                $"PartitionKey eq '{partition}' and RowKey ge '{SwarmRows.PeerPrefix}' and RowKey lt '{SwarmRows.PeerEnd}'",
                null, continuation, _options.FullReadMaxRows, cancellationToken).ConfigureAwait(false);
            continuation = page.Continuation;
            scanned += page.Rows.Count;
            foreach (var row in page.Rows)
            {
                any = true;
                lastActivity = Math.Max(lastActivity, (uint)Math.Clamp(row.GetInt64(SwarmRows.LastSeen) ?? 0, 0, uint.MaxValue));
                if (!SwarmLoader.TryReadPeer(row, cutoff, out var peer, out var seeder))
                {
                    continue;
                }

                _ = seeder ? seeders++ : leechers++;
                if (peers.Count < maxPeers)
                {
                    peers.Add(new PeerView(peer.Id, peer.Address, peer.Port, seeder, peer.LastSeen, (peer.Flags & PeerFlags.Remote) != 0));
                }
            }
        }
        while (continuation is not null && peers.Count < maxPeers && scanned < maxPeers + _options.FullReadMaxRows);

        var counters = await countersTask.ConfigureAwait(false);
        foreach (var row in counters.Rows)
        {
            any = true;
            if (row.RowKey == SwarmRows.Summary)
            {
                downloaded += row.GetInt64(SwarmRows.Downloaded) ?? 0;
            }
            else
            {
                downloaded += row.GetInt64(SwarmRows.DeltaCount) ?? 0;
                lastActivity = Math.Max(lastActivity, (uint)Math.Clamp(row.GetInt64(SwarmRows.DeltaWritten) ?? 0, 0, uint.MaxValue));
            }
        }

        if (!any)
        {
            return null;
        }

        var counts = new SwarmCounts(seeders, leechers, downloaded);
        if (continuation is not null)
        {
            // Only part of a large swarm was read: count as announces are answered (the summary's count).
            var entry = Entry(hash);
            await EnsureFreshAsync(entry).AsTask().WaitAsync(_budget, TimeProvider.System, cancellationToken).ConfigureAwait(false);
            lock (entry.Gate)
            {
                counts = entry.Counts with { Downloaded = downloaded };
            }
        }

        return new SwarmDetails(hash, counts, lastActivity, peers);
    }

    public async ValueTask<bool> DropAsync(InfoHash hash, CancellationToken cancellationToken)
    {
        await InitializeAsync(cancellationToken).ConfigureAwait(false);
        var partition = SwarmRows.PartitionKey(hash);
        _directory.Forget(hash);
        if (_cache.TryGetValue(hash, out var cached))
        {
            lock (cached.Gate)
            {
                if (RemoveLocked(cached))
                {
                    // A write already queued on the old entry still lands; it must not carry the old counts with it.
                    cached.WriterReset = true;
                    cached.Loaded = false;
                }
            }
        }

        var deleted = 0;
        while (true)
        {
            // Always the first page again: the rows before it are gone, and a continuation would skip rows.
            var page = await QueryPageAsync($"PartitionKey eq '{partition}'", KeySelect, null, 1000, cancellationToken).ConfigureAwait(false);
            if (page.Rows.Count == 0)
            {
                break;
            }

            for (var start = 0; start < page.Rows.Count; start += 100)
            {
                var chunk = new List<string>(100);
                for (var i = start; i < Math.Min(start + 100, page.Rows.Count); i++)
                {
                    chunk.Add(page.Rows[i].RowKey);
                }

                deleted += await DeleteChunkAsync(_swarms, partition, chunk, cancellationToken).ConfigureAwait(false);
            }
        }

        var registry = await DeleteChunkAsync(_index, IndexRows.PartitionKey(partition), [IndexRows.RegistryRowKey(partition)], cancellationToken).ConfigureAwait(false);
        if (_cache.TryGetValue(hash, out var written))
        {
            lock (written.Gate)
            {
                RemoveLocked(written);
            }
        }

        _directory.Forget(hash);
        return deleted + registry > 0;
    }

    private async Task<(IReadOnlyList<TableEntity> Rows, string? Continuation)> QueryPageAsync(
        string filter, string[]? select, string? continuation, int pageSize, CancellationToken cancellationToken)
    {
        return await _resilience.ExecuteBackgroundAsync(static async (s, ct) =>
        {
            await foreach (var page in s.Table.QueryAsync<TableEntity>(s.filter, s.pageSize, s.select, ct).AsPages(s.continuation, s.pageSize).ConfigureAwait(false))
            {
                return (page.Values, page.ContinuationToken);
            }

            return ((IReadOnlyList<TableEntity>)[], (string?)null);
        }, (Table: _swarms, filter, select, continuation, pageSize), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes up to 100 rows of one partition in one transaction; rows already gone are left out and the rest go
    /// again. Returns how many this call deleted.</summary>
    private async Task<int> DeleteChunkAsync(TableClient table, string partition, List<string> rowKeys, CancellationToken cancellationToken)
    {
        while (rowKeys.Count > 0)
        {
            var actions = new List<TableTransactionAction>(rowKeys.Count);
            foreach (var rowKey in rowKeys)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(partition, rowKey), ETag.All));
            }

            try
            {
                await _resilience.ExecuteBackgroundAsync(static async (s, ct) =>
                {
                    await s.table.SubmitTransactionAsync(s.actions, ct).ConfigureAwait(false);
                    return true;
                }, (table, actions), cancellationToken).ConfigureAwait(false);
                return rowKeys.Count;
            }
            catch (TableTransactionFailedException failed) when (failed.Status == 404 && failed.FailedTransactionActionIndex is { } index && index < rowKeys.Count)
            {
                rowKeys.RemoveAt(index);
            }
            catch (RequestFailedException failed) when (failed.Status == 404 && rowKeys.Count == 1)
            {
                return 0;
            }
        }

        return 0;
    }
}
