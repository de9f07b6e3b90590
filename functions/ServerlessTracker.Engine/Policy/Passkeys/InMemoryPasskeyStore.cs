namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>The standalone default: passkeys in process memory, lost on restart.</summary>
/// <remarks>One lock over everything: it is called by admin calls, flushes, refreshes and sync, never per announce.</remarks>
public sealed class InMemoryPasskeyStore : IPasskeyStore
{
    private readonly Dictionary<string, PasskeyRecord> _records = new(StringComparer.Ordinal);

    // Passkey → origin → its latest snapshot; kept even for passkeys not (yet) known here.
    private readonly Dictionary<string, Dictionary<string, UsageSnapshot>> _usage = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

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
                    foreach (var (origin, usage) in origins)
                    {
                        if (origin != excludingOrigin)
                        {
                            uploaded += usage.Uploaded;
                            downloaded += usage.Downloaded;
                        }
                    }
                }

                list.Add(record with { Uploaded = uploaded, Downloaded = downloaded });
            }

            return ValueTask.FromResult<IReadOnlyList<PasskeyRecord>>(list);
        }
    }

    public ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_records.TryAdd(record.Passkey, record with { Uploaded = 0, Downloaded = 0, RevokedAt = null }));
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

            _records[passkey] = record with { RevokedAt = record.RevokedAt ?? at };
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
                return ValueTask.FromResult(true);
            }

            var merged = stored.Merge(incoming);
            _records[record.Passkey] = merged;
            return ValueTask.FromResult(merged != stored);
        }
    }

    public ValueTask SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var item in usage)
            {
                Origins(item.Passkey)[item.Origin] = item;
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        var replaced = 0;
        lock (_gate)
        {
            foreach (var item in usage)
            {
                var origins = Origins(item.Passkey);
                if (!origins.TryGetValue(item.Origin, out var stored) || item.Version > stored.Version)
                {
                    origins[item.Origin] = item;
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
                list.AddRange(origins.Values);
            }

            return ValueTask.FromResult<IReadOnlyList<UsageSnapshot>>(list);
        }
    }

    private Dictionary<string, UsageSnapshot> Origins(string passkey)
    {
        if (!_usage.TryGetValue(passkey, out var origins))
        {
            _usage[passkey] = origins = new Dictionary<string, UsageSnapshot>(StringComparer.Ordinal);
        }

        return origins;
    }
}
