using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Storage.Operator;

/// <summary>Passkeys in Table Storage: one partition per passkey.</summary>
/// <remarks>
/// <code>
/// table passkeys (Tracker:Tables:PasskeysTable)
///   PartitionKey = the passkey (32 hex digits, made by the tracker; never client text)
///   RowKey "key"             Name (string, optional), CreatedAt (DateTime), RevokedAt (DateTime, optional)
///   RowKey "usage-{origin}"  Uploaded, Downloaded (Int64: that origin's cumulative bytes), Version (Int64), UpdatedAt
///                            origin = {region}-{instance}: this region's instances and, by sync, other regions' ones
/// </code>
/// Each instance writes only its own usage rows (a replace of its cumulative figures: idempotent, retry-safe, never
/// contended); rows of other regions' instances are replaced only by a newer version (read, then a write guarded by the
/// ETag read). A passkey's figures are the sum of its usage rows. A usage row may arrive before its passkey's key row
/// (sync is unordered): it is kept, and counted once the key row exists. Listing reads the whole table (a page per
/// 1,000 rows) on each refresh.
/// </remarks>
public sealed class TablePasskeyStore(TableServiceClient service, OperatorTablesOptions options) : IPasskeyStore
{
    private const string KeyRow = "key";
    private const string UsagePrefix = "usage-";

    // The first row key after every "usage-…" key ('.' follows '-').
    private const string UsageEnd = "usage.";
    private const int MaxAttempts = 5;

    private readonly LazyTable _table = new(service, options.PasskeysTable);

    public async ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var keys = new Dictionary<string, PasskeyRecord>(StringComparer.Ordinal);
        var usage = new Dictionary<string, (long Uploaded, long Downloaded)>(StringComparer.Ordinal);
        var excluded = excludingOrigin is null ? null : UsagePrefix + excludingOrigin;
        await foreach (var row in table.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == KeyRow)
            {
                keys[row.PartitionKey] = ToRecord(row);
            }
            else if (row.RowKey.StartsWith(UsagePrefix, StringComparison.Ordinal) && row.RowKey != excluded)
            {
                var sum = usage.GetValueOrDefault(row.PartitionKey);
                usage[row.PartitionKey] = (sum.Uploaded + (row.GetInt64("Uploaded") ?? 0), sum.Downloaded + (row.GetInt64("Downloaded") ?? 0));
            }
        }

        var list = new List<PasskeyRecord>(keys.Count);
        foreach (var (passkey, record) in keys)
        {
            var figures = usage.GetValueOrDefault(passkey);
            list.Add(record with { Uploaded = figures.Uploaded, Downloaded = figures.Downloaded });
        }

        return list;
    }

    public async ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await table.AddEntityAsync(ToEntity(record with { RevokedAt = null }), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return false;
        }
    }

    public async ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Merge keeps Name and CreatedAt; ETag.All: revoking twice is harmless (the later time is kept, both are revocations).
            await table.UpdateEntityAsync(new TableEntity(Key(passkey), KeyRow) { ["RevokedAt"] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return false;
        }
    }

    public async ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var incoming = record with { Uploaded = 0, Downloaded = 0 };
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Key(record.Passkey), KeyRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            try
            {
                if (!current.HasValue || current.Value is null)
                {
                    await table.AddEntityAsync(ToEntity(incoming), cancellationToken).ConfigureAwait(false);
                    return true;
                }

                var stored = ToRecord(current.Value);
                var merged = stored.Merge(incoming);
                if (merged == stored)
                {
                    return false;
                }

                await table.UpdateEntityAsync(ToEntity(merged), current.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another instance wrote it between our read and write: read again.
            }
        }
    }

    public async ValueTask SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        foreach (var item in usage)
        {
            await table.UpsertEntityAsync(ToEntity(item), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var replaced = 0;
        foreach (var item in usage)
        {
            var entity = ToEntity(item);
            for (var attempt = 1; ; attempt++)
            {
                var current = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, ["Version"], cancellationToken).ConfigureAwait(false);
                if (current.HasValue && current.Value is { } stored && (stored.GetInt64("Version") ?? 0) >= item.Version)
                {
                    break;
                }

                try
                {
                    if (current.HasValue && current.Value is { } older)
                    {
                        await table.UpdateEntityAsync(entity, older.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                    }

                    replaced++;
                    break;
                }
                catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxAttempts)
                {
                    // The same snapshot delivered to another instance at once: read again (it is then no longer newer).
                }
            }
        }

        return replaced;
    }

    public async ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<UsageSnapshot>();
        var filter = $"RowKey ge '{UsagePrefix}' and RowKey lt '{UsageEnd}'";
        await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(new UsageSnapshot(row.PartitionKey, row.RowKey[UsagePrefix.Length..],
                row.GetInt64("Uploaded") ?? 0, row.GetInt64("Downloaded") ?? 0, row.GetInt64("Version") ?? 0));
        }

        return list;
    }

    private static PasskeyRecord ToRecord(TableEntity row) => new(row.PartitionKey, row.GetString("Name"),
        row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.UnixEpoch, row.GetDateTimeOffset("RevokedAt"), 0, 0);

    private static TableEntity ToEntity(PasskeyRecord record)
    {
        var entity = new TableEntity(Key(record.Passkey), KeyRow) { ["CreatedAt"] = record.CreatedAt };
        if (record.Name is not null)
        {
            entity["Name"] = record.Name;
        }

        if (record.RevokedAt is { } revokedAt)
        {
            entity["RevokedAt"] = revokedAt;
        }

        return entity;
    }

    private static TableEntity ToEntity(UsageSnapshot usage) => new(Key(usage.Passkey), UsagePrefix + Origin(usage.Origin))
    {
        ["Uploaded"] = usage.Uploaded,
        ["Downloaded"] = usage.Downloaded,
        ["Version"] = usage.Version,
        ["UpdatedAt"] = DateTimeOffset.UtcNow,
    };

    private static string Key(string passkey) =>
        Passkey.IsWellFormed(passkey) ? passkey : throw new ArgumentException("Not a passkey.", nameof(passkey));

    private static string Origin(string origin) =>
        UsageOrigin.IsWellFormed(origin) ? origin : throw new ArgumentException("Origins are letters, digits and dashes.", nameof(origin));
}
