using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.Factors;

namespace ServerlessTracker.Storage.Operator;

/// <summary>Per-torrent factors (freeleech, double upload) in Table Storage, beside the access lists.</summary>
/// <remarks>
/// <code>
/// table accesslists (Tracker:Tables:AccessListsTable)
///   PartitionKey "factor"
///   RowKey = the 20-byte info-hash as 40 lowercase hex
///   Given (the hash as the operator gave it), UploadPercent, DownloadPercent (Int32, absent: the default),
///   From, Until (absent: no bound), Note (optional), AddedAt, Version (Int64), Removed (bool: a tombstone)
/// </code>
/// A change is written only over an older one (<see cref="TorrentFactor.Supersedes"/>): read, then a write guarded by the
/// ETag read, again on a conflict. Rows that do not hold valid factors (edited by hand) are skipped, tombstones excepted.
/// </remarks>
public sealed class TableTorrentFactorStore(TableServiceClient service, OperatorTablesOptions options) : ITorrentFactorStore
{
    private const string Partition = "factor";
    private readonly LazyTable _table = new(service, options.AccessListsTable);

    public async ValueTask<IReadOnlyList<TorrentFactor>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var factors = new List<TorrentFactor>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == Partition, maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ToFactor(row) is { } factor)
            {
                factors.Add(factor);
            }
        }

        return factors;
    }

    public async ValueTask<bool> PutAsync(TorrentFactor factor, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition, factor.Hash.ToHex())
        {
            ["Given"] = factor.Given,
            ["AddedAt"] = factor.AddedAt,
            ["Version"] = factor.Version,
            ["Removed"] = factor.Removed,
        };
        Set(entity, "UploadPercent", factor.UploadPercent);
        Set(entity, "DownloadPercent", factor.DownloadPercent);
        Set(entity, "From", factor.From);
        Set(entity, "Until", factor.Until);
        Set(entity, "Note", factor.Note);

        return await TableInfoHashListStore.PutIfNewerAsync(table, entity, row => ToFactor(row) is { } stored && !factor.Supersedes(stored), cancellationToken)
            .ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteAsync(InfoHash hash, long version, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        return await TableInfoHashListStore.DeleteIfAsync(table, Partition, hash.ToHex(), row => (row.GetInt64("Version") ?? 0) == version, cancellationToken)
            .ConfigureAwait(false);
    }

    private static void Set(TableEntity entity, string name, object? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }

    private static TorrentFactor? ToFactor(TableEntity row)
    {
        if (!InfoHash.TryParseHex(row.RowKey, out var hash) || hash.ToHex() != row.RowKey)
        {
            return null;
        }

        var factor = new TorrentFactor(hash, row.GetString("Given") ?? row.RowKey, row.GetInt32("UploadPercent"), row.GetInt32("DownloadPercent"),
            row.GetString("Note"), row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch, row.GetDateTimeOffset("From"), row.GetDateTimeOffset("Until"),
            row.GetInt64("Version") ?? 0, row.GetBoolean("Removed") ?? false);
        return factor.Removed || factor.IsValid ? factor : null;
    }
}
