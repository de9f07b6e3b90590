namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>An IP allow-list entry as stored.</summary>
/// <param name="Entry">The address or CIDR range in canonical form (<see cref="IpRange.TryParse"/>).</param>
/// <param name="LastUsedAt">The last announce it let in (its creation until then), as far as the store knows.</param>
public sealed record IpAllowRecord(string Entry, string? Note, DateTimeOffset AddedAt, DateTimeOffset LastUsedAt);

/// <summary>Where the IP allow-list is kept: in memory (standalone) or in Table Storage.</summary>
public interface IIpAllowListStore
{
    ValueTask<IReadOnlyList<IpAllowRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces an entry.</summary>
    ValueTask PutAsync(IpAllowRecord record, CancellationToken cancellationToken);

    ValueTask<bool> RemoveAsync(string entry, CancellationToken cancellationToken);

    /// <summary>Moves entries' last use forward (never back: the later of stored and given wins); unknown entries are ignored.</summary>
    ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken);
}

/// <summary>The standalone default: the IP allow-list in process memory.</summary>
public sealed class InMemoryIpAllowListStore : IIpAllowListStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IpAllowRecord> _records = new(StringComparer.Ordinal);

    public ValueTask<IReadOnlyList<IpAllowRecord>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<IpAllowRecord>>([.. _records.Values]);

    public ValueTask PutAsync(IpAllowRecord record, CancellationToken cancellationToken)
    {
        _records[record.Entry] = record;
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveAsync(string entry, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_records.TryRemove(entry, out _));

    public ValueTask TouchAsync(IReadOnlyList<(string Entry, DateTimeOffset LastUsedAt)> uses, CancellationToken cancellationToken)
    {
        foreach (var (entry, lastUsed) in uses)
        {
            while (_records.TryGetValue(entry, out var current) && lastUsed > current.LastUsedAt
                && !_records.TryUpdate(entry, current with { LastUsedAt = lastUsed }, current))
            {
            }
        }

        return ValueTask.CompletedTask;
    }
}
