using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Storage.Operator;

/// <summary>The slots a region's processes lease for their figures, and the guarded writes of those figures.</summary>
/// <remarks>
/// <code>
/// PartitionKey "~origins", RowKey {region}-slot{0000}: Holder (a process's random id), ExpiresAt (DateTime)
/// </code>
/// A process takes the lowest slot that has no row, whose lease expired, or that it holds already (an Add, or a Replace
/// guarded by the ETag read: two processes cannot both win one). A holder's figures rows are written with If-Match on the
/// ETag it last read (<see cref="ClaimUsageAsync"/>) or wrote; a 412 or 409 means someone else wrote the row, unless the
/// row names this holder (its own write, answered too late and retried): then the write is simply repeated, as the figures
/// are cumulative.
/// </remarks>
public sealed partial class TablePasskeyStore
{
    private const string Leases = "~origins";

    public async ValueTask<string?> LeaseOriginAsync(string region, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var (from, to) = UsageOrigin.SlotRange(region);
        var leases = new Dictionary<string, TableEntity>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Leases} and RowKey ge {from} and RowKey lt {to}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            leases[row.RowKey] = row;
        }

        for (var slot = 0; slot < UsageOrigin.MaxSlots; slot++)
        {
            var origin = UsageOrigin.ForSlot(region, slot);
            var lease = new TableEntity(Leases, origin) { ["Holder"] = holder, ["ExpiresAt"] = until };
            try
            {
                if (!leases.TryGetValue(origin, out var current))
                {
                    await table.AddEntityAsync(lease, cancellationToken).ConfigureAwait(false);
                    return origin;
                }

                if (current.GetString("Holder") == holder || (current.GetDateTimeOffset("ExpiresAt") ?? default) <= now)
                {
                    await table.UpdateEntityAsync(lease, current.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                    return origin;
                }
            }
            catch (RequestFailedException exception) when (exception.Status is 404 or 409 or 412)
            {
                // Another process took this slot first: try the next.
            }
        }

        return null;
    }

    public async ValueTask<bool> RenewOriginAsync(string origin, string holder, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(Leases, origin, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!current.HasValue || current.Value is not { } lease || lease.GetString("Holder") != holder)
        {
            return false;
        }

        try
        {
            await table.UpdateEntityAsync(new TableEntity(Leases, origin) { ["Holder"] = holder, ["ExpiresAt"] = until }, lease.ETag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException exception) when (exception.Status is 404 or 412)
        {
            return false;
        }
    }

    public async ValueTask ReleaseOriginAsync(string origin, string holder, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(Leases, origin, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (current.HasValue && current.Value is { } lease && lease.GetString("Holder") == holder)
        {
            try
            {
                await table.DeleteEntityAsync(Leases, origin, lease.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException exception) when (exception.Status is 404 or 412)
            {
                // Taken over meanwhile: it is someone else's now.
            }
        }
    }

    public async ValueTask<UsageSnapshot?> ClaimUsageAsync(string passkey, string origin, string holder, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var current = await table.GetEntityIfExistsAsync<TableEntity>(Key(passkey), UsagePrefix + Origin(origin), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (current.HasValue && current.Value is { } row)
        {
            _seen[(passkey, origin, holder)] = row.ETag;
            return ToSnapshot(row);
        }

        _seen[(passkey, origin, holder)] = default;
        return null;
    }

    public async ValueTask<int> SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, string holder, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var saved = 0;
        try
        {
            for (; saved < usage.Count; saved++)
            {
                if (!await SaveAsync(table, usage[saved], holder, cancellationToken).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        finally
        {
            if (saved > 0)
            {
                await PasskeyJournal.AppendAsync(table, [], usage.Take(saved).ToList(), cancellationToken).ConfigureAwait(false);
            }
        }

        return saved;
    }

    /// <returns>False when another holder wrote the row since this one last read or wrote it.</returns>
    private async ValueTask<bool> SaveAsync(TableClient table, UsageSnapshot item, string holder, CancellationToken cancellationToken)
    {
        var entity = ToEntity(item, holder);
        var key = (item.Passkey, item.Origin, holder);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            try
            {
                var response = _seen.TryGetValue(key, out var etag) && etag != default
                    ? await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false)
                    : await table.AddEntityAsync(entity, cancellationToken).ConfigureAwait(false);
                _seen[key] = response.Headers.ETag ?? default;
                return true;
            }
            catch (RequestFailedException exception) when (exception.Status is 404 or 409 or 412)
            {
                var current = await table.GetEntityIfExistsAsync<TableEntity>(entity.PartitionKey, entity.RowKey, ["Holder"], cancellationToken).ConfigureAwait(false);
                if (!current.HasValue || current.Value is not { } row)
                {
                    _seen[key] = default;
                }
                else if (row.GetString("Holder") == holder)
                {
                    // This holder's own write, whose answer was lost and whose retry found it done.
                    _seen[key] = row.ETag;
                }
                else
                {
                    return false;
                }
            }
        }

        throw new InvalidOperationException($"The figures row of origin '{item.Origin}' kept changing under its own holder.");
    }
}
