using System.Globalization;
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
///   Given (the 40 or 64 hex digits the operator gave), Note (optional), AddedAt
/// </code>
/// </remarks>
public sealed class TableInfoHashListStore(TableServiceClient service, OperatorTablesOptions options) : IInfoHashListStore
{
    private readonly LazyTable _table = new(service, options.AccessListsTable);

    public async ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var rules = new List<InfoHashRule>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == "infohash-allow" || r.PartitionKey == "infohash-deny",
            maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (InfoHash.TryParseHex(row.RowKey, out var hash))
            {
                rules.Add(new InfoHashRule(hash, row.PartitionKey == "infohash-allow" ? InfoHashListKind.Allow : InfoHashListKind.Deny,
                    row.GetString("Given") ?? row.RowKey, row.GetString("Note"), row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch));
            }
        }

        return rules;
    }

    public async ValueTask PutAsync(InfoHashRule rule, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition(rule.Kind), rule.Hash.ToHex()) { ["Given"] = rule.Given, ["AddedAt"] = rule.AddedAt };
        if (rule.Note is not null)
        {
            entity["Note"] = rule.Note;
        }

        await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(InfoHash hash, InfoHashListKind kind, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var response = await table.DeleteEntityAsync(Partition(kind), hash.ToHex(), ETag.All, cancellationToken).ConfigureAwait(false);
        return response.Status != 404;
    }

    private static string Partition(InfoHashListKind kind) => kind == InfoHashListKind.Allow ? "infohash-allow" : "infohash-deny";
}

/// <summary>The IP allow-list in Table Storage.</summary>
/// <remarks>
/// <code>
/// table accesslists (Tracker:Tables:AccessListsTable)
///   PartitionKey "ip"
///   RowKey = the canonical entry with '/' written as '_' (RowKeys may not hold '/'): "198.51.100.0_24", "2001:db8::_32"
///   Entry (canonical), Note (optional), AddedAt, LastUsedAt
/// </code>
/// Last use only moves forward: an optimistic (ETag) read-modify-write that keeps the later time, so instances
/// reporting use concurrently never move it back.
/// </remarks>
public sealed class TableIpAllowListStore(TableServiceClient service, OperatorTablesOptions options) : IIpAllowListStore
{
    private const string Partition = "ip";
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

    public async ValueTask PutAsync(IpAllowRecord record, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        await table.UpsertEntityAsync(ToEntity(record), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> RemoveAsync(string entry, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var response = await table.DeleteEntityAsync(Partition, RowKey(entry), ETag.All, cancellationToken).ConfigureAwait(false);
        return response.Status != 404;
    }

    public async ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (entry, lastUsed) in uses)
        {
            for (var attempt = 0; attempt < 5; attempt++)
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
        row.GetDateTimeOffset("LastUsedAt") ?? row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch);
}
