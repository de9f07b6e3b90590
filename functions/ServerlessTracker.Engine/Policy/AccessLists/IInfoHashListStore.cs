namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>Where the info-hash allow and deny lists are kept: in memory (standalone) or in Table Storage.</summary>
/// <remarks>A store keeps one row per (hash, kind): the latest change, a rule or a removal (tombstone), by <see cref="InfoHashRule.Version"/>.</remarks>
public interface IInfoHashListStore
{
    /// <summary>Every rule, removals included.</summary>
    ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Stores a change (a rule, or a removal) unless the stored change for (hash, kind) supersedes it; true when stored.</summary>
    ValueTask<bool> PutAsync(InfoHashRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes the row of (hash, kind) for good if it still holds <paramref name="version"/> (forgetting an old removal);
    /// false when it was kept because it changed since.</summary>
    ValueTask<bool> DeleteAsync(InfoHash hash, InfoHashListKind kind, long version, CancellationToken cancellationToken);
}

/// <summary>The standalone default: both lists in process memory.</summary>
public sealed class InMemoryInfoHashListStore : IInfoHashListStore
{
    private readonly Dictionary<(InfoHash, InfoHashListKind), InfoHashRule> _rules = [];
    private readonly Lock _gate = new();

    public ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<InfoHashRule>>([.. _rules.Values]);
        }
    }

    public ValueTask<bool> PutAsync(InfoHashRule rule, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_rules.TryGetValue((rule.Hash, rule.Kind), out var stored) && !rule.Supersedes(stored))
            {
                return ValueTask.FromResult(false);
            }

            _rules[(rule.Hash, rule.Kind)] = rule;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> DeleteAsync(InfoHash hash, InfoHashListKind kind, long version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(!_rules.TryGetValue((hash, kind), out var stored) || (stored.Version == version && _rules.Remove((hash, kind))));
        }
    }
}
