namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>Where the info-hash allow and deny lists are kept: in memory (standalone) or in Table Storage.</summary>
public interface IInfoHashListStore
{
    ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Adds or replaces the rule for (hash, kind).</summary>
    ValueTask PutAsync(InfoHashRule rule, CancellationToken cancellationToken);

    /// <summary>Removes the rule for (hash, kind); false when there was none.</summary>
    ValueTask<bool> RemoveAsync(InfoHash hash, InfoHashListKind kind, CancellationToken cancellationToken);
}

/// <summary>The standalone default: both lists in process memory.</summary>
public sealed class InMemoryInfoHashListStore : IInfoHashListStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(InfoHash, InfoHashListKind), InfoHashRule> _rules = new();

    public ValueTask<IReadOnlyList<InfoHashRule>> ListAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<InfoHashRule>>([.. _rules.Values]);

    public ValueTask PutAsync(InfoHashRule rule, CancellationToken cancellationToken)
    {
        _rules[(rule.Hash, rule.Kind)] = rule;
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> RemoveAsync(InfoHash hash, InfoHashListKind kind, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_rules.TryRemove((hash, kind), out _));
}
