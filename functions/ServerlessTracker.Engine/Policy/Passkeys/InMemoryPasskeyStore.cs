using System.Collections.Concurrent;

namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>The standalone default: passkeys in process memory, lost on restart.</summary>
public sealed class InMemoryPasskeyStore : IPasskeyStore
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingInstance, CancellationToken cancellationToken)
    {
        var list = new List<PasskeyRecord>(_entries.Count);
        foreach (var entry in _entries.Values)
        {
            lock (entry)
            {
                long uploaded = 0, downloaded = 0;
                foreach (var (instance, usage) in entry.Usage)
                {
                    if (instance != excludingInstance)
                    {
                        uploaded += usage.Uploaded;
                        downloaded += usage.Downloaded;
                    }
                }

                list.Add(entry.Record with { Uploaded = uploaded, Downloaded = downloaded });
            }
        }

        return ValueTask.FromResult<IReadOnlyList<PasskeyRecord>>(list);
    }

    public ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryAdd(record.Passkey, new Entry(record with { Uploaded = 0, Downloaded = 0, RevokedAt = null })));

    public ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (!_entries.TryGetValue(passkey, out var entry))
        {
            return ValueTask.FromResult(false);
        }

        lock (entry)
        {
            entry.Record = entry.Record with { RevokedAt = entry.Record.RevokedAt ?? at };
        }

        return ValueTask.FromResult(true);
    }

    public ValueTask SaveUsageAsync(string instanceId, IReadOnlyList<PasskeyUsage> usage, CancellationToken cancellationToken)
    {
        foreach (var item in usage)
        {
            if (_entries.TryGetValue(item.Passkey, out var entry))
            {
                lock (entry)
                {
                    entry.Usage[instanceId] = (item.Uploaded, item.Downloaded);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private sealed class Entry(PasskeyRecord record)
    {
        public PasskeyRecord Record { get; set; } = record;

        public Dictionary<string, (long Uploaded, long Downloaded)> Usage { get; } = new(StringComparer.Ordinal);
    }
}
