using System.Collections.Concurrent;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>The info-hash allow and deny lists held in memory for the hot path, kept in step with an <see cref="IInfoHashListStore"/>.</summary>
public sealed class InfoHashList(IInfoHashListStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<InfoHash, InfoHashRule> _allow = new();
    private readonly ConcurrentDictionary<InfoHash, InfoHashRule> _deny = new();

    public int AllowCount => _allow.Count;

    public int DenyCount => _deny.Count;

    /// <summary>Allowed, denied, or (in allow-list-only mode) not allowed. One or two dictionary probes, no allocation.</summary>
    public PolicyVerdict Check(InfoHash hash, bool allowListOnly)
    {
        if (!_deny.IsEmpty && _deny.ContainsKey(hash))
        {
            return PolicyVerdict.InfoHashDenied;
        }

        return allowListOnly && !_allow.ContainsKey(hash) ? PolicyVerdict.InfoHashNotAllowed : PolicyVerdict.Allowed;
    }

    public List<InfoHashRule> List(InfoHashListKind kind) => [.. Map(kind).Values];

    public async ValueTask<InfoHashRule> AddAsync(InfoHashListKind kind, string given, InfoHash hash, string? note, CancellationToken cancellationToken)
    {
        var rule = new InfoHashRule(hash, kind, given, note, time.GetUtcNow());
        await store.PutAsync(rule, cancellationToken);
        Map(kind)[hash] = rule;
        return rule;
    }

    public async ValueTask<bool> RemoveAsync(InfoHashListKind kind, InfoHash hash, CancellationToken cancellationToken)
    {
        var removed = await store.RemoveAsync(hash, kind, cancellationToken);
        return Map(kind).TryRemove(hash, out _) || removed;
    }

    /// <summary>Re-reads both lists from the store.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        var allowBefore = _allow.Keys;
        var denyBefore = _deny.Keys;
        var rules = await store.ListAsync(cancellationToken);
        var seen = new HashSet<(InfoHash, InfoHashListKind)>();
        foreach (var rule in rules)
        {
            seen.Add((rule.Hash, rule.Kind));
            Map(rule.Kind)[rule.Hash] = rule;
        }

        Drop(_allow, allowBefore, InfoHashListKind.Allow, seen);
        Drop(_deny, denyBefore, InfoHashListKind.Deny, seen);
    }

    private static void Drop(ConcurrentDictionary<InfoHash, InfoHashRule> map, ICollection<InfoHash> before, InfoHashListKind kind, HashSet<(InfoHash, InfoHashListKind)> seen)
    {
        foreach (var hash in before)
        {
            if (!seen.Contains((hash, kind)))
            {
                map.TryRemove(hash, out _);
            }
        }
    }

    private ConcurrentDictionary<InfoHash, InfoHashRule> Map(InfoHashListKind kind) => kind == InfoHashListKind.Allow ? _allow : _deny;
}
