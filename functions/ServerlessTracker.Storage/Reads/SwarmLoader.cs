using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Storage.Schema;

namespace ServerlessTracker.Storage.Reads;

/// <summary>Reads a swarm's partition into a <see cref="SwarmSnapshot"/> without reading a large partition whole.</summary>
/// <remarks>
/// A partition of at most <see cref="TableStoreOptions.FullReadMaxRows"/> rows is one page: read whole, exact.
/// A larger one costs two queries at once: its counter rows (summary and deltas, which sort before the peers) and one
/// window of <see cref="TableStoreOptions.WindowRows"/> peers from a random point of the spread range, wrapping to the
/// start. Peer row keys begin with a hash of the peer id, so a window is a uniform random sample of the swarm.
/// </remarks>
internal sealed class SwarmLoader(TableClient swarms, TableStoreOptions options, SwarmSettings settings, StoreResilience resilience)
{
    private bool RememberStops => settings.RememberStops;

    private static readonly string[] CountSelect = [SwarmRows.State];
    private static readonly string[] KeyOnly = ["RowKey"];

    public async Task<SwarmSnapshot> LoadAsync(string partitionKey, bool knownLarge, uint now, int peerTtlSeconds, string? ownDeltaRowKey, int windowPoint)
    {
        var cutoff = UnixTime.Before(now, peerTtlSeconds);
        var snapshot = new SwarmSnapshot();
        if (!knownLarge)
        {
            var page = await FirstPageAsync(Filter(partitionKey), options.FullReadMaxRows);
            if (page.Continuation is null)
            {
                snapshot.Exists = page.Rows.Count > 0;
                Apply(page.Rows, snapshot, cutoff, ownDeltaRowKey);
                return snapshot;
            }
        }

        // Large: counters and a random window, in parallel.
        var countersTask = AllAsync($"PartitionKey eq '{partitionKey}' and RowKey ge '{SwarmRows.Summary}' and RowKey lt '{SwarmRows.CountersEnd}'", null, background: false);
        var start = SwarmRows.WindowStart(windowPoint);
        var windowTask = FirstPageAsync($"PartitionKey eq '{partitionKey}' and RowKey ge '{start}' and RowKey lt '{SwarmRows.PeerEnd}'", options.WindowRows);
        var counters = await countersTask;
        var window = await windowTask;
        var rows = new List<TableEntity>(counters.Count + options.WindowRows);
        rows.AddRange(counters);
        rows.AddRange(window.Rows);
        var whole = false;
        if (window.Rows.Count < options.WindowRows && window.Continuation is null)
        {
            var wrap = await FirstPageAsync($"PartitionKey eq '{partitionKey}' and RowKey ge '{SwarmRows.PeerPrefix}' and RowKey lt '{start}'", options.WindowRows - window.Rows.Count);
            rows.AddRange(wrap.Rows);
            whole = wrap.Continuation is null && wrap.Rows.Count < options.WindowRows - window.Rows.Count;
        }

        snapshot.Exists = rows.Count > 0;
        snapshot.Partial = !whole;
        Apply(rows, snapshot, cutoff, ownDeltaRowKey);
        return snapshot;
    }

    /// <summary>Reads one peer's row (a point read), live, expired or stopped; null when there is none (or it is unreadable).</summary>
    public async Task<StoredPeer?> ReadStoredPeerAsync(string partitionKey, string rowKey)
    {
        var response = await resilience.ExecuteAsync(
            static async (s, ct) => await s.swarms.GetEntityIfExistsAsync<TableEntity>(s.partitionKey, s.rowKey, cancellationToken: ct).ConfigureAwait(false),
            (swarms, partitionKey, rowKey),
            CancellationToken.None);
        return response.HasValue && response.Value is { } row && TryReadStored(row, out var stored) ? stored : null;
    }

    /// <summary>Reads any peer row, tombstones and expired rows included; false when it is not one.</summary>
    public static bool TryReadStored(TableEntity row, out StoredPeer stored)
    {
        stored = default;
        var state = row.GetInt32(SwarmRows.State);
        if (state is not (SwarmRows.Leecher or SwarmRows.Seeder or SwarmRows.Stopped) || row.GetInt64(SwarmRows.LastSeen) is not { } seen
            || seen is < 0 or > uint.MaxValue || !SwarmRows.TryParsePeerRowKey(row.RowKey, out var id))
        {
            return false;
        }

        var peer = new PeerRecord { Id = id, LastSeen = (uint)seen };
        var decoded = row.GetBinary(SwarmRows.Data) is { } data && PeerRowCodec.TryDecode(data, ref peer);
        if (!decoded && state != SwarmRows.Stopped)
        {
            return false;
        }

        stored = new StoredPeer(peer, (StoredPeerState)state, decoded);
        return true;
    }

    /// <summary>Whether a row exists (a point read of its key only).</summary>
    public async Task<bool> RowExistsAsync(string partitionKey, string rowKey)
    {
        var response = await resilience.ExecuteAsync(
            static async (s, ct) => await s.swarms.GetEntityIfExistsAsync<TableEntity>(s.partitionKey, s.rowKey, KeyOnly, ct).ConfigureAwait(false),
            (swarms, partitionKey, rowKey),
            CancellationToken.None);
        return response.HasValue;
    }

    /// <summary>Counts the live seeders and leechers of a partition with a projection query (a recount).</summary>
    public async Task<(long Seeders, long Leechers)> CountAsync(string partitionKey, uint cutoff)
    {
        var filter = $"PartitionKey eq '{partitionKey}' and RowKey ge '{SwarmRows.PeerPrefix}' and RowKey lt '{SwarmRows.PeerEnd}' and {SwarmRows.LastSeen} ge {cutoff}L and {SwarmRows.State} lt {SwarmRows.Stopped}";
        var rows = await AllAsync(filter, CountSelect, background: true);
        long seeders = 0;
        foreach (var row in rows)
        {
            if (row.GetInt32(SwarmRows.State) == SwarmRows.Seeder)
            {
                seeders++;
            }
        }

        return (seeders, rows.Count - seeders);
    }

    /// <summary>Reads a peer row back into the engine's record; false for tombstones, expired or unreadable rows.</summary>
    public static bool TryReadPeer(TableEntity row, uint cutoff, out PeerRecord peer, out bool seeder)
    {
        peer = default;
        seeder = false;
        var state = row.GetInt32(SwarmRows.State);
        var lastSeen = row.GetInt64(SwarmRows.LastSeen);
        if (state is not (SwarmRows.Leecher or SwarmRows.Seeder) || lastSeen is not { } seen || seen < cutoff || seen > uint.MaxValue
            || !SwarmRows.TryParsePeerRowKey(row.RowKey, out var id) || row.GetBinary(SwarmRows.Data) is not { } data)
        {
            return false;
        }

        peer.Id = id;
        peer.LastSeen = (uint)seen;
        seeder = state == SwarmRows.Seeder;
        return PeerRowCodec.TryDecode(data, ref peer);
    }

    private static bool IsRecentStop(TableEntity row, uint cutoff) =>
        row.GetInt32(SwarmRows.State) == SwarmRows.Stopped && row.GetInt64(SwarmRows.LastSeen) is { } seen && seen >= cutoff && seen <= uint.MaxValue;

    private void Apply(IReadOnlyList<TableEntity> rows, SwarmSnapshot snapshot, uint cutoff, string? ownDeltaRowKey)
    {
        uint lastActivity = 0;
        foreach (var row in rows)
        {
            var key = row.RowKey;
            if (key.StartsWith(SwarmRows.PeerPrefix, StringComparison.Ordinal))
            {
                if (TryReadPeer(row, cutoff, out var peer, out var seeder))
                {
                    snapshot.Swarm.Put(peer, seeder);
                    lastActivity = Math.Max(lastActivity, peer.LastSeen);
                }
                else if (RememberStops && IsRecentStop(row, cutoff) && TryReadStored(row, out var stopped))
                {
                    // Cross-region sync: a stop must beat a late, older replicated announce of the same peer.
                    snapshot.Swarm.Learn(stopped, cutoff, rememberStops: true);
                }
            }
            else if (key == SwarmRows.Summary)
            {
                snapshot.OthersDownloaded += row.GetInt64(SwarmRows.Downloaded) ?? 0;
                if (row.GetInt64(SwarmRows.Seeders) is { } seeders && row.GetInt64(SwarmRows.Leechers) is { } leechers)
                {
                    snapshot.Counted = true;
                    snapshot.Seeders = seeders;
                    snapshot.Leechers = leechers;
                    snapshot.CountedAt = row.GetInt64(SwarmRows.CountedAt) ?? 0;
                }

                snapshot.SummaryETag = row.ETag;
            }
            else if (key.StartsWith(SwarmRows.DeltaPrefix, StringComparison.Ordinal))
            {
                var count = row.GetInt64(SwarmRows.DeltaCount) ?? 0;
                if (key == ownDeltaRowKey)
                {
                    snapshot.OwnDownloaded = count;
                    snapshot.OwnDeltaFound = true;
                }
                else
                {
                    snapshot.OthersDownloaded += count;
                }
            }
        }

        snapshot.Swarm.LastActivity = lastActivity;
    }

    private static string Filter(string partitionKey) => $"PartitionKey eq '{partitionKey}'";

    private async Task<(IReadOnlyList<TableEntity> Rows, string? Continuation)> FirstPageAsync(string filter, int pageSize)
    {
        return await resilience.ExecuteAsync(static async (s, ct) =>
        {
            await foreach (var page in s.swarms.QueryAsync<TableEntity>(s.filter, s.pageSize, cancellationToken: ct).AsPages(pageSizeHint: s.pageSize).ConfigureAwait(false))
            {
                return (page.Values, page.ContinuationToken);
            }

            return ((IReadOnlyList<TableEntity>)[], (string?)null);
        }, (swarms, filter, pageSize), CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<List<TableEntity>> AllAsync(string filter, IEnumerable<string>? select, bool background)
    {
        return background
            ? await resilience.ExecuteBackgroundAsync(QueryAllAsync, (swarms, filter, select), CancellationToken.None).ConfigureAwait(false)
            : await resilience.ExecuteAsync(QueryAllAsync, (swarms, filter, select), CancellationToken.None).ConfigureAwait(false);

        static async ValueTask<List<TableEntity>> QueryAllAsync((TableClient swarms, string filter, IEnumerable<string>? select) s, CancellationToken ct)
        {
            var rows = new List<TableEntity>();
            await foreach (var row in s.swarms.QueryAsync<TableEntity>(s.filter, 1000, s.select, ct).ConfigureAwait(false))
            {
                rows.Add(row);
            }

            return rows;
        }
    }

    internal static bool IsConflict(RequestFailedException exception) => exception.Status is 409 or 412;
}
