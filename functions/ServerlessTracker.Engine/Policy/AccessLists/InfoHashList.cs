using System.Collections.Concurrent;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>The info-hash allow and deny lists held in memory for the hot path, kept in step with an <see cref="IInfoHashListStore"/>.</summary>
/// <remarks>
/// Every change carries a version (<see cref="ChangeVersion"/>) and removals are kept as tombstones, so changes made here,
/// read from the store and received from other regions merge to the same lists in any order. The hot path reads two
/// concurrent dictionaries of the live rules; writers (admin calls, refreshes, sync) take a lock.
/// </remarks>
public sealed class InfoHashList(IInfoHashListStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<InfoHash, InfoHashRule> _allow = new();
    private readonly ConcurrentDictionary<InfoHash, InfoHashRule> _deny = new();

    // Under _gate: the latest change known for each (hash, kind), removals included.
    private readonly Dictionary<(InfoHash, InfoHashListKind), InfoHashRule> _known = [];
    private readonly Lock _gate = new();
    private long _clock;
    private long _changes;

    public int AllowCount => _allow.Count;

    public int DenyCount => _deny.Count;

    /// <summary>Grows whenever a change is applied: what was built from the lists (a full scrape) is stale when it moved.</summary>
    public long Changes => Interlocked.Read(ref _changes);

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
        return await ChangeAsync(rule, cancellationToken);
    }

    /// <summary>Removes a rule (a tombstone is stored); false when the list does not hold it.</summary>
    public async ValueTask<bool> RemoveAsync(InfoHashListKind kind, InfoHash hash, CancellationToken cancellationToken)
    {
        if (!Map(kind).TryGetValue(hash, out var live))
        {
            // Perhaps added on another instance since the last refresh.
            await RefreshAsync(cancellationToken);
            if (!Map(kind).TryGetValue(hash, out live))
            {
                return false;
            }
        }

        await ChangeAsync(live with { Removed = true }, cancellationToken);
        return true;
    }

    /// <summary>Takes a change already stored (from another region, through sync): applied here when it is the latest known.</summary>
    public bool Apply(InfoHashRule rule)
    {
        ChangeVersion.Observe(ref _clock, rule.Version);
        lock (_gate)
        {
            if (_known.TryGetValue((rule.Hash, rule.Kind), out var known) && !rule.Supersedes(known))
            {
                return false;
            }

            _known[(rule.Hash, rule.Kind)] = rule;
            Interlocked.Increment(ref _changes);
            if (rule.Removed)
            {
                Map(rule.Kind).TryRemove(rule.Hash, out _);
            }
            else
            {
                Map(rule.Kind)[rule.Hash] = rule;
            }

            return true;
        }
    }

    /// <summary>Re-reads both lists from the store and forgets removals older than <see cref="ChangeVersion.TombstoneRetention"/>.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        List<(InfoHash, InfoHashListKind)> before;
        lock (_gate)
        {
            before = [.. _known.Keys];
        }

        var rules = await store.ListAsync(cancellationToken);
        var seen = new HashSet<(InfoHash, InfoHashListKind)>();
        var now = time.GetUtcNow();
        foreach (var rule in rules)
        {
            seen.Add((rule.Hash, rule.Kind));
            Apply(rule);
            if (rule.Removed && ChangeVersion.IsForgettable(rule.Version, now))
            {
                await store.DeleteAsync(rule.Hash, rule.Kind, rule.Version, cancellationToken);
            }
        }

        // Gone from the store (a forgotten removal, or rows deleted by hand): gone here too, unless changed meanwhile.
        lock (_gate)
        {
            foreach (var key in before)
            {
                if (!seen.Contains(key) && _known.Remove(key))
                {
                    Map(key.Item2).TryRemove(key.Item1, out _);
                }
            }
        }
    }

    /// <summary>Stores a change made here with a new version (again with a newer one if the store held a later change), then applies it.</summary>
    private async ValueTask<InfoHashRule> ChangeAsync(InfoHashRule rule, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            rule = rule with { Version = ChangeVersion.Next(time, ref _clock) };
            if (await store.PutAsync(rule, cancellationToken) || attempt == 2)
            {
                Apply(rule);
                return rule;
            }

            // Another instance or region changed it with a version ahead of our clock: learn it, then go after it.
            await RefreshAsync(cancellationToken);
        }
    }

    private ConcurrentDictionary<InfoHash, InfoHashRule> Map(InfoHashListKind kind) => kind == InfoHashListKind.Allow ? _allow : _deny;
}
