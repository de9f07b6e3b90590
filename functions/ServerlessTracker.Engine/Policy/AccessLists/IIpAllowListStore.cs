namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>An IP allow-list entry as stored, or its removal.</summary>
/// <param name="Entry">The address or CIDR range in canonical form (<see cref="IpRange.TryParse"/>).</param>
/// <param name="LastUsedAt">The last announce it let in (its creation until then), as far as the store knows: only moves forward.</param>
/// <param name="Version">The version of the last change to the entry (<see cref="ChangeVersion"/>): the later change wins everywhere.</param>
/// <param name="Removed">A removal, kept as a tombstone for <see cref="ChangeVersion.TombstoneRetention"/>.</param>
public sealed record IpAllowRecord(string Entry, string? Note, DateTimeOffset AddedAt, DateTimeOffset LastUsedAt, long Version = 0, bool Removed = false)
{
    /// <summary>Whether this change replaces <paramref name="stored"/> (the same entry); last use is merged either way.</summary>
    public bool Supersedes(IpAllowRecord stored) => ChangeVersion.Supersedes(Version, Removed, stored.Version, stored.Removed);

    /// <summary>This change merged into <paramref name="stored"/>: the later change, and the later use.</summary>
    public IpAllowRecord MergeInto(IpAllowRecord stored)
    {
        var winner = Supersedes(stored) ? this : stored;
        return winner with { LastUsedAt = LastUsedAt > stored.LastUsedAt ? LastUsedAt : stored.LastUsedAt };
    }
}

/// <summary>Where the IP allow-list is kept: in memory (standalone) or in Table Storage.</summary>
public interface IIpAllowListStore
{
    /// <summary>Every entry, removals included.</summary>
    ValueTask<IReadOnlyList<IpAllowRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Merges a change (<see cref="IpAllowRecord.MergeInto"/>): stored unless the stored change supersedes it (true when stored);
    /// the later last use is kept either way.</summary>
    ValueTask<bool> PutAsync(IpAllowRecord record, CancellationToken cancellationToken);

    /// <summary>Deletes an entry for good if it still holds <paramref name="version"/> and was not used after <paramref name="lastUsedAt"/>
    /// (retiring an idle entry, forgetting an old removal); false when it was kept because it changed since.</summary>
    ValueTask<bool> DeleteAsync(string entry, long version, DateTimeOffset lastUsedAt, CancellationToken cancellationToken);

    /// <summary>Moves entries' last use forward (never back: the later of stored and given wins); unknown entries are ignored.</summary>
    ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken);
}

/// <summary>The standalone default: the IP allow-list in process memory.</summary>
public sealed class InMemoryIpAllowListStore : IIpAllowListStore
{
    private readonly Dictionary<string, IpAllowRecord> _records = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ValueTask<IReadOnlyList<IpAllowRecord>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<IpAllowRecord>>([.. _records.Values]);
        }
    }

    public ValueTask<bool> PutAsync(IpAllowRecord record, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_records.TryGetValue(record.Entry, out var stored))
            {
                _records[record.Entry] = record;
                return ValueTask.FromResult(true);
            }

            _records[record.Entry] = record.MergeInto(stored);
            return ValueTask.FromResult(record.Supersedes(stored));
        }
    }

    public ValueTask<bool> DeleteAsync(string entry, long version, DateTimeOffset lastUsedAt, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(!_records.TryGetValue(entry, out var stored)
                || (stored.Version == version && stored.LastUsedAt <= lastUsedAt && _records.Remove(entry)));
        }
    }

    public ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            foreach (var (entry, lastUsed) in uses)
            {
                if (_records.TryGetValue(entry, out var current) && lastUsed > current.LastUsedAt)
                {
                    _records[entry] = current with { LastUsedAt = lastUsed };
                }
            }
        }

        return ValueTask.CompletedTask;
    }
}
