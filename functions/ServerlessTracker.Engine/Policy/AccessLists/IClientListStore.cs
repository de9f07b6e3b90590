namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>Where the client allow and deny lists are kept: in memory (standalone) or in Table Storage.</summary>
/// <remarks>A store keeps one row per (prefix, kind): the latest change, a rule or a removal (tombstone), by <see cref="ClientRule.Version"/>.</remarks>
public interface IClientListStore
{
    /// <summary>Every rule, removals included.</summary>
    ValueTask<IReadOnlyList<ClientRule>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Stores a change (a rule, or a removal) unless the stored change for (prefix, kind) supersedes it; true when stored.</summary>
    ValueTask<bool> PutAsync(ClientRule rule, CancellationToken cancellationToken);

    /// <summary>Deletes the row of (prefix, kind) for good if it still holds <paramref name="version"/> (forgetting an old removal);
    /// false when it was kept because it changed since.</summary>
    ValueTask<bool> DeleteAsync(string prefix, ClientListKind kind, long version, CancellationToken cancellationToken);
}

/// <summary>The standalone default: both lists in process memory.</summary>
public sealed class InMemoryClientListStore : IClientListStore
{
    private readonly Dictionary<(string, ClientListKind), ClientRule> _rules = [];
    private readonly Lock _gate = new();

    public ValueTask<IReadOnlyList<ClientRule>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<ClientRule>>([.. _rules.Values]);
        }
    }

    public ValueTask<bool> PutAsync(ClientRule rule, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_rules.TryGetValue((rule.Prefix, rule.Kind), out var stored) && !rule.Supersedes(stored))
            {
                return ValueTask.FromResult(false);
            }

            _rules[(rule.Prefix, rule.Kind)] = rule;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> DeleteAsync(string prefix, ClientListKind kind, long version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(!_rules.TryGetValue((prefix, kind), out var stored) || (stored.Version == version && _rules.Remove((prefix, kind))));
        }
    }
}
