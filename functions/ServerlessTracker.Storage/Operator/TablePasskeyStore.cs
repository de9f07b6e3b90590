using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Storage.Operator;

/// <summary>Passkeys in Table Storage: one partition per passkey, plus the slot leases and the journal.</summary>
/// <remarks>
/// <code>
/// table passkeys (Tracker:Tables:PasskeysTable)
///   PartitionKey = the passkey (made by the tracker, [A-Za-z0-9_-]; never client text)
///     RowKey "key"             Name (string, optional), CreatedAt (DateTime), RevokedAt (DateTime, optional)
///     RowKey "usage-{origin}"  Uploaded, Downloaded (Int64: that origin's cumulative bytes), Version (Int64), UpdatedAt,
///                              Holder (the process that wrote it; absent on rows merged from other regions)
///                              origin = {region}-slot{0000}: a slot of this region or, by sync, of another one
///   PartitionKey "~origins"    RowKey = origin: Holder, ExpiresAt — the slot leases (TablePasskeyStore.Origins.cs)
///   PartitionKey "~journal"    every change, for refreshes that continue from a cursor (PasskeyJournal)
/// </code>
/// Passkey partitions sort before '~', so "PartitionKey lt '~'" reads passkeys and figures only. A process writes only rows
/// of the slot it leases, each guarded by the ETag it last read or wrote, so a row another holder took over is never
/// overwritten; rows of other regions' origins are replaced only by a newer version (read, then a write guarded by the ETag
/// read). A passkey's figures are the sum of its usage rows. A usage row may arrive before its passkey's key row (sync is
/// unordered): it is kept, and counted once the key row exists. A refresh reads the journal since its cursor; only a
/// first or periodic full read reads the passkeys and figures rows (a page per 1,000 rows) and trims the journal.
/// </remarks>
public sealed partial class TablePasskeyStore(TableServiceClient service, OperatorTablesOptions options, TimeProvider? time = null) : IPasskeyStore
{
    private const string KeyRow = "key";
    private const string UsagePrefix = "usage-";

    // The first row key after every "usage-…" key ('.' follows '-').
    private const string UsageEnd = "usage.";
    private const string PasskeyPartitions = "PartitionKey lt '~'";
    private const int MaxAttempts = 5;

    /// <summary>A cursor older than the journal's retention less this is read as a full read (the journal may be trimmed).</summary>
    private static readonly TimeSpan FullReadMargin = TimeSpan.FromMinutes(1);

    private readonly LazyTable _table = new(service, options.PasskeysTable);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    // The ETag of each figures row as a holder last read or wrote it (default: the row did not exist).
    private readonly ConcurrentDictionary<(string Passkey, string Origin, string Holder), ETag> _seen = new();

    public async ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var (keys, rows, _) = await ReadAllAsync(table, cancellationToken).ConfigureAwait(false);
        var usage = new Dictionary<string, (long Uploaded, long Downloaded)>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Origin != excludingOrigin)
            {
                var sum = usage.GetValueOrDefault(row.Passkey);
                usage[row.Passkey] = (sum.Uploaded + row.Uploaded, sum.Downloaded + row.Downloaded);
            }
        }

        var list = new List<PasskeyRecord>(keys.Count);
        foreach (var record in keys)
        {
            var figures = usage.GetValueOrDefault(record.Passkey);
            list.Add(record with { Uploaded = figures.Uploaded, Downloaded = figures.Downloaded });
        }

        return list;
    }

    public async ValueTask<PasskeyChanges> ReadChangesAsync(string? cursor, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (TryParseCursor(cursor, out var since) && since > now - PasskeyJournal.Retention + FullReadMargin)
        {
            var (passkeys, usage, latest) = await PasskeyJournal.ReadAsync(table, since, cancellationToken).ConfigureAwait(false);
            var next = latest is { } last && last - PasskeyJournal.Overlap > since ? last - PasskeyJournal.Overlap : since;
            return new PasskeyChanges(false, passkeys, usage, Cursor(next));
        }

        // Everything; the journal is read next from a little before the read started (by the server's clock, which dates the
        // journal's rows), so nothing committed meanwhile is missed.
        var (keys, rows, started) = await ReadAllAsync(table, cancellationToken).ConfigureAwait(false);
        var start = (started ?? now - FullReadMargin) - PasskeyJournal.Overlap;
        try
        {
            await PasskeyJournal.TrimAsync(table, now - PasskeyJournal.Retention, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException)
        {
            // Trimming is housekeeping: the next full read tries again.
        }

        return new PasskeyChanges(true, keys, rows, Cursor(start));
    }

    public async ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var stored = record with { RevokedAt = null, Uploaded = 0, Downloaded = 0 };
        try
        {
            await table.AddEntityAsync(ToEntity(stored), cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return false;
        }

        await PasskeyJournal.AppendAsync(table, [stored], [], cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Merge keeps Name and CreatedAt; ETag.All: revoking twice is harmless (the later time is kept, both are revocations).
            await table.UpdateEntityAsync(new TableEntity(Key(passkey), KeyRow) { ["RevokedAt"] = at }, ETag.All, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return false;
        }

        // Readers keep the name and creation they know (a revocation alone carries neither).
        await PasskeyJournal.AppendAsync(table, [new PasskeyRecord(passkey, null, at, at, 0, 0)], [], cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var incoming = record with { Uploaded = 0, Downloaded = 0 };
        for (var attempt = 1; ; attempt++)
        {
            var current = await table.GetEntityIfExistsAsync<TableEntity>(Key(record.Passkey), KeyRow, cancellationToken: cancellationToken).ConfigureAwait(false);
            PasskeyRecord written;
            try
            {
                if (!current.HasValue || current.Value is null)
                {
                    await table.AddEntityAsync(ToEntity(incoming), cancellationToken).ConfigureAwait(false);
                    written = incoming;
                }
                else
                {
                    var stored = ToRecord(current.Value);
                    written = stored.Merge(incoming);
                    if (written == stored)
                    {
                        return false;
                    }

                    await table.UpdateEntityAsync(ToEntity(written), current.Value.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxAttempts)
            {
                // Another instance wrote it between our read and write: read again.
                continue;
            }

            await PasskeyJournal.AppendAsync(table, [written], [], cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    public async ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var replaced = new List<UsageSnapshot>();
        foreach (var item in usage)
        {
            var entity = ToEntity(item, holder: null);
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

                    replaced.Add(item);
                    break;
                }
                catch (RequestFailedException exception) when (exception.Status is 409 or 412 && attempt < MaxAttempts)
                {
                    // The same snapshot delivered to another instance at once: read again (it is then no longer newer).
                }
            }
        }

        if (replaced.Count > 0)
        {
            await PasskeyJournal.AppendAsync(table, [], replaced, cancellationToken).ConfigureAwait(false);
        }

        return replaced.Count;
    }

    public async ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<UsageSnapshot>();
        var filter = $"{PasskeyPartitions} and RowKey ge '{UsagePrefix}' and RowKey lt '{UsageEnd}'";
        await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            list.Add(ToSnapshot(row));
        }

        return list;
    }

    /// <summary>Every passkey and figures row, and the server's time when the read began (its first answer's Date).</summary>
    private static async ValueTask<(List<PasskeyRecord> Keys, List<UsageSnapshot> Usage, DateTimeOffset? Started)> ReadAllAsync(TableClient table, CancellationToken cancellationToken)
    {
        var keys = new List<PasskeyRecord>();
        var usage = new List<UsageSnapshot>();
        DateTimeOffset? started = null;
        await foreach (var page in table.QueryAsync<TableEntity>(PasskeyPartitions, 1000, cancellationToken: cancellationToken).AsPages().ConfigureAwait(false))
        {
            started ??= page.GetRawResponse().Headers.Date;
            foreach (var row in page.Values)
            {
                if (row.RowKey == KeyRow)
                {
                    keys.Add(ToRecord(row));
                }
                else if (row.RowKey.StartsWith(UsagePrefix, StringComparison.Ordinal))
                {
                    usage.Add(ToSnapshot(row));
                }
            }
        }

        return (keys, usage, started);
    }

    private static string Cursor(DateTimeOffset since) => "j" + since.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private static bool TryParseCursor(string? cursor, out DateTimeOffset since)
    {
        since = default;
        if (cursor is not ['j', .. var digits] || !long.TryParse(digits, CultureInfo.InvariantCulture, out var ticks) || ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        since = new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    private static PasskeyRecord ToRecord(TableEntity row) => new(row.PartitionKey, row.GetString("Name"),
        row.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.UnixEpoch, row.GetDateTimeOffset("RevokedAt"), 0, 0);

    private static UsageSnapshot ToSnapshot(TableEntity row) => new(row.PartitionKey, row.RowKey[UsagePrefix.Length..],
        row.GetInt64("Uploaded") ?? 0, row.GetInt64("Downloaded") ?? 0, row.GetInt64("Version") ?? 0);

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

    private TableEntity ToEntity(UsageSnapshot usage, string? holder)
    {
        var entity = new TableEntity(Key(usage.Passkey), UsagePrefix + Origin(usage.Origin))
        {
            ["Uploaded"] = usage.Uploaded,
            ["Downloaded"] = usage.Downloaded,
            ["Version"] = usage.Version,
            ["UpdatedAt"] = _time.GetUtcNow(),
        };
        if (holder is not null)
        {
            entity["Holder"] = holder;
        }

        return entity;
    }

    private static string Key(string passkey) =>
        Passkey.IsWellFormed(passkey) ? passkey : throw new ArgumentException("Not a passkey.", nameof(passkey));

    private static string Origin(string origin) =>
        UsageOrigin.IsWellFormed(origin) ? origin : throw new ArgumentException("Origins are letters, digits and dashes.", nameof(origin));
}
