using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.AccessLists;

namespace ServerlessTracker.Storage.Operator;

/// <summary>The info-hash allow and deny lists in Table Storage.</summary>
/// <remarks>
/// <code>
/// table accesslists (Tracker:Tables:AccessListsTable)
///   PartitionKey "infohash-allow" | "infohash-deny"
///   RowKey = the 20-byte hash as 40 lowercase hex digits
///   Given (the 40 or 64 hex digits the operator gave), Note (optional), AddedAt, Version (Int64), Removed (bool: a tombstone)
/// </code>
/// A change is written only over an older one (<see cref="InfoHashRule.Supersedes"/>): read, then a write guarded by the
/// ETag read, again on a conflict.
/// </remarks>
public sealed class TableInfoHashListStore(TableServiceClient service, OperatorTablesOptions options) : IInfoHashListStore
{
    private const int MaxAttempts = 5;
    private readonly LazyTable _table = new(service, options.AccessListsTable);

    public async ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var rules = new List<InfoHashRule>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == "infohash-allow" || r.PartitionKey == "infohash-deny",
            maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ToRule(row) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    public async ValueTask<bool> PutAsync(InfoHashRule rule, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition(rule.Kind), rule.Hash.ToHex())
        {
            ["Given"] = rule.Given,
            ["AddedAt"] = rule.AddedAt,
            ["Version"] = rule.Version,
            ["Removed"] = rule.Removed,
        };
        if (rule.Note is not null)
        {
            entity["Note"] = rule.Note;
        }

        return await PutIfNewerAsync(table, entity, row => ToRule(row) is { } stored && !rule.Supersedes(stored), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteAsync(InfoHash hash, InfoHashListKind kind, long version, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        return await DeleteIfAsync(table, Partition(kind), hash.ToHex(), row => (row.GetInt64("Version") ?? 0) == version, cancellationToken).ConfigureAwait(false);
    }

    private static InfoHashRule? ToRule(TableEntity row) =>
        InfoHash.TryParseHex(row.RowKey, out var hash)
            ? new InfoHashRule(hash, row.PartitionKey == "infohash-allow" ? InfoHashListKind.Allow : InfoHashListKind.Deny,
                row.GetString("Given") ?? row.RowKey, row.GetString("Note"), row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch,
                row.GetInt64("Version") ?? 0, row.GetBoolean("Removed") ?? false)
            : null;

    private static string Partition(InfoHashListKind kind) => kind == InfoHashListKind.Allow ? "infohash-allow" : "infohash-deny";

    /// <summary>Writes a versioned operator row unless the stored one should stay (<paramref name="keeps"/>: the change does not
    /// supersede it); read, then an add or an ETag-guarded replace, read again if it changed in between. False when kept.</summary>
    internal static async Task<bool> PutIfNewerAsync(TableClient table, TableEntity entity, Func<TableEntity, bool> keeps, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (current.HasValue && current.Value is { } row && keeps(row))
            {
                return false;
            }

            try
            {
                // A replace, so a field the new change leaves out does not survive from the old row.
                await WriteAsync(table, entity, current.HasValue ? current.Value?.ETag : null, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Changed between our read and write: read again.
            }
        }
    }

    /// <summary>Adds the row when it was absent (<paramref name="etag"/> null), else replaces it if unchanged since read.</summary>
    internal static async Task WriteAsync(TableClient table, TableEntity entity, ETag? etag, CancellationToken cancellationToken)
    {
        if (etag is { } read)
        {
            await table.UpdateEntityAsync(entity, read, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes a row if it still passes <paramref name="doomed"/> (read, then a delete guarded by the ETag read);
    /// true when the row is gone, false when it was kept because it changed.</summary>
    internal static async Task<bool> DeleteIfAsync(TableClient table, string partition, string rowKey, Func<TableEntity, bool> doomed, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(partition, rowKey, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!current.HasValue || current.Value is null)
            {
                return true;
            }

            if (!doomed(current.Value))
            {
                return false;
            }

            try
            {
                await table.DeleteEntityAsync(partition, rowKey, current.Value.ETag, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException exception) when (exception.Status == 412 && attempt < MaxAttempts)
            {
                // Changed since read: judge it again.
            }
        }
    }
}

/// <summary>The IP allow-list in Table Storage.</summary>
/// <remarks>
/// <code>
/// table accesslists (Tracker:Tables:AccessListsTable)
///   PartitionKey "ip"
///   RowKey = the canonical entry with '/' written as '_' (RowKeys may not hold '/'): "198.51.100.0_24", "2001:db8::_32"
///   Entry (canonical), Note (optional), AddedAt, LastUsedAt, Version (Int64), Removed (bool: a tombstone)
/// </code>
/// A change is written only over an older one, and last use only moves forward: optimistic (ETag) read-modify-writes
/// that keep the later change and the later time, so instances and regions reporting concurrently never move either back.
/// </remarks>
public sealed class TableIpAllowListStore(TableServiceClient service, OperatorTablesOptions options) : IIpAllowListStore
{
    private const string Partition = "ip";
    private const int MaxAttempts = 5;
    private readonly LazyTable _table = new(service, options.AccessListsTable);

    public async ValueTask<IReadOnlyList<IpAllowRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<IpAllowRecord>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == Partition, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            records.Add(ToRecord(row));
        }

        return records;
    }

    public async ValueTask<bool> PutAsync(IpAllowRecord record, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(record.Entry), cancellationToken: cancellationToken).ConfigureAwait(false);
            var stored = current.HasValue && current.Value is { } row ? ToRecord(row) : null;
            var merged = stored is null ? record : record.MergeInto(stored);
            var taken = stored is null || record.Supersedes(stored);
            if (merged == stored)
            {
                return taken;
            }

            try
            {
                await TableInfoHashListStore.WriteAsync(table, ToEntity(merged), stored is null ? null : current.Value!.ETag, cancellationToken).ConfigureAwait(false);
                return taken;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Changed between our read and write: read again.
            }
        }
    }

    public async ValueTask<bool> DeleteAsync(string entry, long version, DateTimeOffset lastUsedAt, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        return await TableInfoHashListStore.DeleteIfAsync(table, Partition, RowKey(entry),
            row => ToRecord(row) is { } stored && stored.Version == version && stored.LastUsedAt <= lastUsedAt, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (entry, lastUsed) in uses)
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                var current = await table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(entry), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (!current.HasValue || current.Value!.GetDateTimeOffset("LastUsedAt") >= lastUsed)
                {
                    break;
                }

                try
                {
                    var update = new TableEntity(Partition, RowKey(entry)) { ["LastUsedAt"] = lastUsed };
                    await table.UpdateEntityAsync(update, current.Value.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (RequestFailedException exception) when (exception.Status is 412 or 404)
                {
                    // Another instance moved it (or it was removed): read again.
                }
            }
        }
    }

    private static string RowKey(string entry) => entry.Replace('/', '_');

    private static TableEntity ToEntity(IpAllowRecord record)
    {
        var entity = new TableEntity(Partition, RowKey(record.Entry))
        {
            ["Entry"] = record.Entry,
            ["AddedAt"] = record.AddedAt,
            ["LastUsedAt"] = record.LastUsedAt,
            ["Version"] = record.Version,
            ["Removed"] = record.Removed,
        };
        if (record.Note is not null)
        {
            entity["Note"] = record.Note;
        }

        return entity;
    }

    private static IpAllowRecord ToRecord(TableEntity row) => new(
        row.GetString("Entry") ?? row.RowKey.Replace('_', '/'),
        row.GetString("Note"),
        row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch,
        row.GetDateTimeOffset("LastUsedAt") ?? row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch,
        row.GetInt64("Version") ?? 0,
        row.GetBoolean("Removed") ?? false);
}
