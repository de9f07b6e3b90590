namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>The standalone default: passkeys in process memory, lost on restart.</summary>
/// <remarks>One lock over everything: it is called by admin calls, flushes, refreshes and sync, never per announce. The
/// journal is a list of the last <see cref="JournalLength"/> changes, numbered; leases and row guards work as in Table
/// Storage (a row's tag plays the ETag), so tests can share one store between several tables.</remarks>
public sealed class InMemoryPasskeyStore : IPasskeyStore
{
    /// <summary>Changes kept for readers that continue from a cursor; one further behind reads everything.</summary>
    public const int JournalLength = 10_000;

    private readonly Dictionary<string, PasskeyRecord> _records = new(StringComparer.Ordinal);

    // Passkey → origin → its latest row; kept even for passkeys not (yet) known here.
    private readonly Dictionary<string, Dictionary<string, Row>> _usage = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Passkey, string Origin, string Holder), long> _claims = [];
    private readonly Dictionary<string, (string Holder, DateTimeOffset Until)> _leases = new(StringComparer.Ordinal);
    private readonly Queue<(long Number, PasskeyRecord? Record, UsageSnapshot Usage)> _journal = new();
    private readonly Lock _gate = new();
    private long _changes;
    private long _tags;

    public ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var list = new List<PasskeyRecord>(_records.Count);
            foreach (var record in _records.Values)
            {
                long uploaded = 0, downloaded = 0;
                if (_usage.TryGetValue(record.Passkey, out var origins))
                {
                    foreach (var (origin, row) in origins)
                    {
                        if (origin != excludingOrigin)
                        {
                            uploaded += row.Usage.Uploaded;
                            downloaded += row.Usage.Downloaded;
                        }
                    }
                }

                list.Add(record with { Uploaded = uploaded, Downloaded = downloaded });
            }

            return ValueTask.FromResult<IReadOnlyList<PasskeyRecord>>(list);
        }
    }

    public ValueTask<PasskeyChanges> ReadChangesAsync(string? cursor, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var next = "m" + _changes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var oldest = _changes - _journal.Count;
            if (cursor is ['m', .. var digits] && long.TryParse(digits, System.Globalization.CultureInfo.InvariantCulture, out var since) && since >= oldest && since <= _changes)
            {
                var passkeys = new List<PasskeyRecord>();
                var usage = new List<UsageSnapshot>();
                foreach (var (number, record, snapshot) in _journal)
                {
                    if (number <= since)
                    {
                        continue;
                    }

                    if (record is not null)
                    {
                        passkeys.Add(record);
                    }
                    else
                    {
                        usage.Add(snapshot);
                    }
                }

                return ValueTask.FromResult(new PasskeyChanges(false, passkeys, usage, next));
            }

            var rows = new List<UsageSnapshot>();
            foreach (var origins in _usage.Values)
            {
                foreach (var row in origins.Values)
                {
                    rows.Add(row.Usage);
                }
            }

            return ValueTask.FromResult(new PasskeyChanges(true, [.. _records.Values], rows, next));
        }
    }

    public ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var stored = record with { Uploaded = 0, Downloaded = 0, RevokedAt = null };
            if (!_records.TryAdd(record.Passkey, stored))
            {
                return ValueTask.FromResult(false);
            }

            Journal(stored);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue(passkey, out var record))
            {
                return ValueTask.FromResult(false);
            }

            _records[passkey] = record = record with { RevokedAt = record.RevokedAt ?? at };
            Journal(record);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var incoming = record with { Uploaded = 0, Downloaded = 0 };
            if (!_records.TryGetValue(record.Passkey, out var stored))
            {
                _records.Add(record.Passkey, incoming);
                Journal(incoming);
                return ValueTask.FromResult(true);
            }

            var merged = stored.Merge(incoming);
            if (merged == stored)
            {
                return ValueTask.FromResult(false);
            }

            _records[record.Passkey] = merged;
            Journal(merged);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<string?> LeaseOriginAsync(string region, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            for (var slot = 0; slot < UsageOrigin.MaxSlots; slot++)
            {
                var origin = UsageOrigin.ForSlot(region, slot);
                if (!_leases.TryGetValue(origin, out var lease) || lease.Holder == holder || lease.Until <= now)
                {
                    _leases[origin] = (holder, until);
                    return ValueTask.FromResult<string?>(origin);
                }
            }

            return ValueTask.FromResult<string?>(null);
        }
    }

    public ValueTask<bool> RenewOriginAsync(string origin, string holder, DateTimeOffset until, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_leases.TryGetValue(origin, out var lease) || lease.Holder != holder)
            {
                return ValueTask.FromResult(false);
            }

            _leases[origin] = (holder, until);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask ReleaseOriginAsync(string origin, string holder, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_leases.TryGetValue(origin, out var lease) && lease.Holder == holder)
            {
                _leases.Remove(origin);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<UsageSnapshot?> ClaimUsageAsync(string passkey, string origin, string holder, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            Row? row = _usage.TryGetValue(passkey, out var origins) && origins.TryGetValue(origin, out var found) ? found : null;
            _claims[(passkey, origin, holder)] = row?.Tag ?? 0;
            return ValueTask.FromResult(row?.Usage);
        }
    }

    public ValueTask<int> SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, string holder, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            for (var i = 0; i < usage.Count; i++)
            {
                var item = usage[i];
                var origins = Origins(item.Passkey);
                if (origins.TryGetValue(item.Origin, out var row) && row.Holder != holder
                    && (!_claims.TryGetValue((item.Passkey, item.Origin, holder), out var seen) || seen != row.Tag))
                {
                    // Written by another holder since this one read it.
                    return ValueTask.FromResult(i);
                }

                var tag = ++_tags;
                origins[item.Origin] = new Row(item, holder, tag);
                _claims[(item.Passkey, item.Origin, holder)] = tag;
                Journal(null, item);
            }

            return ValueTask.FromResult(usage.Count);
        }
    }

    public ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        var replaced = 0;
        lock (_gate)
        {
            foreach (var item in usage)
            {
                var origins = Origins(item.Passkey);
                if (!origins.TryGetValue(item.Origin, out var stored) || item.Version > stored.Usage.Version)
                {
                    origins[item.Origin] = new Row(item, null, ++_tags);
                    Journal(null, item);
                    replaced++;
                }
            }
        }

        return ValueTask.FromResult(replaced);
    }

    public ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var list = new List<UsageSnapshot>();
            foreach (var origins in _usage.Values)
            {
                foreach (var row in origins.Values)
                {
                    list.Add(row.Usage);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<UsageSnapshot>>(list);
        }
    }

    private void Journal(PasskeyRecord? record, UsageSnapshot usage = default)
    {
        _journal.Enqueue((++_changes, record, usage));
        if (_journal.Count > JournalLength)
        {
            _journal.Dequeue();
        }
    }

    private Dictionary<string, Row> Origins(string passkey)
    {
        if (!_usage.TryGetValue(passkey, out var origins))
        {
            _usage[passkey] = origins = new Dictionary<string, Row>(StringComparer.Ordinal);
        }

        return origins;
    }

    private sealed record Row(UsageSnapshot Usage, string? Holder, long Tag);
}
