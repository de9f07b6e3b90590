using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Storage.Operator;

/// <summary>Passkeys in Table Storage: one partition per passkey.</summary>
/// <remarks>
/// <code>
/// table passkeys (Tracker:Tables:PasskeysTable)
///   PartitionKey = the passkey (32 hex digits, made by the tracker; never client text)
///   RowKey "key"               Name (string, optional), CreatedAt (DateTime), RevokedAt (DateTime, optional)
///   RowKey "usage-{instance}"  Uploaded, Downloaded (Int64: that instance's cumulative bytes), UpdatedAt
/// </code>
/// Each instance writes only its own usage rows (a replace of its cumulative figures: idempotent, retry-safe,
/// never contended); a passkey's figures are the sum of its usage rows. Rows synced from other regions would be
/// named <c>usage-{region}-{instance}</c> and add up the same way. Listing reads the whole table (a page per 1,000
/// rows) on each refresh.
/// </remarks>
public sealed class TablePasskeyStore(TableServiceClient service, OperatorTablesOptions options) : IPasskeyStore
{
    private const string KeyRow = "key";
    private const string UsagePrefix = "usage-";

    private readonly LazyTable _table = new(service, options.PasskeysTable);

    public async ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingInstance, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var keys = new Dictionary<string, PasskeyRecord>(StringComparer.Ordinal);
        var usage = new Dictionary<string, (long Uploaded, long Downloaded)>(StringComparer.Ordinal);
        var excluded = excludingInstance is null ? null : UsagePrefix + excludingInstance;
        await foreach (var row in table.QueryAsync<TableEntity>(maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.RowKey == KeyRow)
            {
                keys[row.PartitionKey] = new PasskeyRecord(row.PartitionKey, row.GetString("Name"),
                    row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.UnixEpoch, row.GetDateTimeOffset("RevokedAt"), 0, 0);
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
        var entity = new TableEntity(Key(record.Passkey), KeyRow) { ["CreatedAt"] = record.CreatedAt };
        if (record.Name is not null)
        {
            entity["Name"] = record.Name;
        }

        try
        {
            await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
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

    public async ValueTask SaveUsageAsync(string instanceId, IReadOnlyList<PasskeyUsage> usage, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var rowKey = UsagePrefix + InstanceKey(instanceId);
        foreach (var item in usage)
        {
            var entity = new TableEntity(Key(item.Passkey), rowKey)
            {
                ["Uploaded"] = item.Uploaded,
                ["Downloaded"] = item.Downloaded,
                ["UpdatedAt"] = DateTimeOffset.UtcNow,
            };
            await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Key(string passkey) =>
        Passkey.IsWellFormed(passkey) ? passkey : throw new ArgumentException("Not a passkey.", nameof(passkey));

    private static string InstanceKey(string instanceId)
    {
        foreach (var c in instanceId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                throw new ArgumentException("Instance ids are letters, digits and dashes.", nameof(instanceId));
            }
        }

        return instanceId;
    }
}
