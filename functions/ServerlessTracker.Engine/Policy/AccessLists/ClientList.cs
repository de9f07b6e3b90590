using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>The client allow and deny lists (peer_id prefixes, as chihaya's clientapproval) held in memory for the hot path,
/// kept in step with an <see cref="IClientListStore"/>.</summary>
/// <remarks>
/// A deny rule always refuses the clients it matches; once any allow rule exists, only clients an allow rule matches are
/// served. Versions and tombstones as <see cref="InfoHashList"/>: changes made here, read from the store and received
/// from other regions merge to the same lists in any order.
/// <para>The hot path reads an immutable snapshot, rebuilt by writers (admin calls, refreshes, sync) under a lock: per list a
/// dictionary keyed by prefix, probed with the peer id's first n bytes for each prefix length n some rule has (longest
/// first, so the most specific rule is the one named). At most 20 probes however many rules, no allocation.</para>
/// </remarks>
public sealed class ClientList(IClientListStore store, TimeProvider time)
{
    private volatile Snapshot _snapshot = Snapshot.Empty;

    // Under _gate: the latest change known for each (prefix, kind), removals included.
    private readonly Dictionary<(string, ClientListKind), ClientRule> _known = [];
    private readonly Lock _gate = new();
    private long _clock;

    public int AllowCount => _snapshot.Allow.ByPrefix.Count;

    public int DenyCount => _snapshot.Deny.ByPrefix.Count;

    /// <summary>Allowed, denied by a deny rule, or (with allow rules) matched by none. <paramref name="rule"/> is the rule that
    /// decided: the deny rule that refused, or the allow rule that let the client in; null when no rule matched.</summary>
    public PolicyVerdict Check(in PeerId peerId, out ClientRule? rule)
    {
        rule = null;
        var snapshot = _snapshot;
        if (snapshot.IsEmpty)
        {
            return PolicyVerdict.Allowed;
        }

        Span<byte> bytes = stackalloc byte[PeerId.Length];
        peerId.CopyTo(bytes);

        // Latin-1 widening: each byte one char, so a prefix (printable ASCII) matches exactly the bytes it spells.
        Span<char> chars = stackalloc char[PeerId.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = (char)bytes[i];
        }

        if (snapshot.Deny.Find(chars) is { } denied)
        {
            rule = denied;
            return PolicyVerdict.ClientDenied;
        }

        if (snapshot.Allow.ByPrefix.Count == 0)
        {
            return PolicyVerdict.Allowed;
        }

        rule = snapshot.Allow.Find(chars);
        return rule is null ? PolicyVerdict.ClientNotAllowed : PolicyVerdict.Allowed;
    }

    public List<ClientRule> List(ClientListKind kind) => [.. (kind == ClientListKind.Allow ? _snapshot.Allow : _snapshot.Deny).ByPrefix.Values];

    /// <summary>Adds a rule; <paramref name="prefix"/> must pass <see cref="ClientRule.IsValidPrefix"/>.</summary>
    public async ValueTask<ClientRule> AddAsync(ClientListKind kind, string prefix, string? note, CancellationToken cancellationToken)
    {
        if (!ClientRule.IsValidPrefix(prefix))
        {
            throw new ArgumentException("A client prefix is 1 to 20 printable ASCII characters.", nameof(prefix));
        }

        return await ChangeAsync(new ClientRule(prefix, kind, note, time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Removes a rule (a tombstone is stored); false when the list does not hold it.</summary>
    public async ValueTask<bool> RemoveAsync(ClientListKind kind, string prefix, CancellationToken cancellationToken)
    {
        if (!TryGetLive(kind, prefix, out var live))
        {
            // Perhaps added on another instance since the last refresh.
            await RefreshAsync(cancellationToken);
            if (!TryGetLive(kind, prefix, out live))
            {
                return false;
            }
        }

        await ChangeAsync(live with { Removed = true }, cancellationToken);
        return true;
    }

    /// <summary>Takes a change already stored (from another region, through sync): applied here when it is the latest known.</summary>
    public bool Apply(ClientRule rule)
    {
        lock (_gate)
        {
            if (!ApplyLocked(rule))
            {
                return false;
            }

            Rebuild();
            return true;
        }
    }

    /// <summary>Re-reads both lists from the store and forgets removals older than <see cref="ChangeVersion.TombstoneRetention"/>.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        List<(string, ClientListKind)> before;
        lock (_gate)
        {
            before = [.. _known.Keys];
        }

        var rules = await store.ListAsync(cancellationToken);
        var seen = new HashSet<(string, ClientListKind)>();
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var changed = false;
            foreach (var rule in rules)
            {
                seen.Add((rule.Prefix, rule.Kind));
                changed |= ApplyLocked(rule);
            }

            // Gone from the store (a forgotten removal, or rows deleted by hand): gone here too, unless changed meanwhile.
            foreach (var key in before)
            {
                changed |= !seen.Contains(key) && _known.Remove(key);
            }

            if (changed)
            {
                Rebuild();
            }
        }

        foreach (var rule in rules)
        {
            if (rule.Removed && ChangeVersion.IsForgettable(rule.Version, now))
            {
                await store.DeleteAsync(rule.Prefix, rule.Kind, rule.Version, cancellationToken);
            }
        }
    }

    private bool TryGetLive(ClientListKind kind, string prefix, out ClientRule rule) =>
        (kind == ClientListKind.Allow ? _snapshot.Allow : _snapshot.Deny).ByPrefix.TryGetValue(prefix, out rule!);

    private bool ApplyLocked(ClientRule rule)
    {
        ChangeVersion.Observe(ref _clock, rule.Version);
        if (!ClientRule.IsValidPrefix(rule.Prefix) || (_known.TryGetValue((rule.Prefix, rule.Kind), out var known) && !rule.Supersedes(known)))
        {
            return false;
        }

        _known[(rule.Prefix, rule.Kind)] = rule;
        return true;
    }

    private void Rebuild()
    {
        var allow = new Dictionary<string, ClientRule>(StringComparer.Ordinal);
        var deny = new Dictionary<string, ClientRule>(StringComparer.Ordinal);
        foreach (var rule in _known.Values)
        {
            if (!rule.Removed)
            {
                (rule.Kind == ClientListKind.Allow ? allow : deny)[rule.Prefix] = rule;
            }
        }

        _snapshot = new Snapshot(new Rules(allow), new Rules(deny));
    }

    /// <summary>Stores a change made here with a new version (again with a newer one if the store held a later change), then applies it.</summary>
    private async ValueTask<ClientRule> ChangeAsync(ClientRule rule, CancellationToken cancellationToken)
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

    private sealed class Snapshot(Rules allow, Rules deny)
    {
        public static readonly Snapshot Empty = new(new Rules(new(StringComparer.Ordinal)), new Rules(new(StringComparer.Ordinal)));

        public Rules Allow { get; } = allow;

        public Rules Deny { get; } = deny;

        public bool IsEmpty { get; } = allow.ByPrefix.Count == 0 && deny.ByPrefix.Count == 0;
    }

    /// <summary>One list, read-only once built: its rules by prefix, and which prefix lengths occur.</summary>
    private sealed class Rules
    {
        private readonly Dictionary<string, ClientRule>.AlternateLookup<ReadOnlySpan<char>> _lookup;

        // Bit n set: some rule's prefix is n characters long.
        private readonly int _lengths;

        public Rules(Dictionary<string, ClientRule> rules)
        {
            ByPrefix = rules;
            _lookup = rules.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var prefix in rules.Keys)
            {
                _lengths |= 1 << prefix.Length;
            }
        }

        /// <summary>Built with <see cref="StringComparer.Ordinal"/>, which the span lookup needs.</summary>
        public Dictionary<string, ClientRule> ByPrefix { get; }

        public ClientRule? Find(ReadOnlySpan<char> peerId)
        {
            for (var length = PeerId.Length; length > 0; length--)
            {
                if ((_lengths & (1 << length)) != 0 && _lookup.TryGetValue(peerId[..length], out var rule))
                {
                    return rule;
                }
            }

            return null;
        }
    }
}
