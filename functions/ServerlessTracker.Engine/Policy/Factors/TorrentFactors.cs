namespace ServerlessTracker.Engine.Policy.Factors;

/// <summary>Per-torrent transfer factors (freeleech, half-leech, double upload) held in memory for the hot path, kept in step
/// with an <see cref="ITorrentFactorStore"/>.</summary>
/// <remarks>
/// Versions and tombstones as the info-hash lists: changes made here, read from the store and received from other regions
/// merge to the same factors in any order. The hot path reads an immutable snapshot (one dictionary probe, no allocation),
/// rebuilt by writers (admin calls, refreshes, sync) under a lock.
/// <para>Factors are applied where an announce is accounted, once: the figures rows and what sync carries between regions
/// are already credited amounts, never re-factored.</para>
/// </remarks>
public sealed class TorrentFactors(ITorrentFactorStore store, TimeProvider time)
{
    private volatile Dictionary<InfoHash, TorrentFactor> _snapshot = [];

    // Under _gate: the latest change known for each hash, removals included.
    private readonly Dictionary<InfoHash, TorrentFactor> _known = [];
    private readonly Lock _gate = new();
    private long _clock;

    public int Count => _snapshot.Count;

    /// <summary>The factors an announce of <paramref name="hash"/> is credited with now: the torrent's own (when set and inside
    /// their window), the <paramref name="defaults"/> filling in any factor it does not give.</summary>
    public TransferFactors Resolve(InfoHash hash, TransferFactors defaults)
    {
        var snapshot = _snapshot;
        if (snapshot.Count == 0 || !snapshot.TryGetValue(hash, out var factor))
        {
            return defaults;
        }

        // The clock is read only for a windowed factor.
        return (factor.From is null && factor.Until is null) || factor.IsActiveAt(time.GetUtcNow()) ? factor.Over(defaults) : defaults;
    }

    public List<TorrentFactor> List() => [.. _snapshot.Values];

    public bool TryGet(InfoHash hash, out TorrentFactor factor) => _snapshot.TryGetValue(hash, out factor!);

    /// <summary>Sets a torrent's factors, replacing any it had; <paramref name="factor"/> must be <see cref="TorrentFactor.IsValid"/>
    /// (its version and added time are set here).</summary>
    public async ValueTask<TorrentFactor> SetAsync(TorrentFactor factor, CancellationToken cancellationToken)
    {
        if (!factor.IsValid)
        {
            throw new ArgumentException("Factors are 0 to 1000 percent, at least one given, and a window ends after it starts.", nameof(factor));
        }

        return await ChangeAsync(factor with { AddedAt = time.GetUtcNow(), Removed = false }, cancellationToken);
    }

    /// <summary>Removes a torrent's factors (a tombstone is stored), so the defaults apply again; false when it has none.</summary>
    public async ValueTask<bool> RemoveAsync(InfoHash hash, CancellationToken cancellationToken)
    {
        if (!_snapshot.TryGetValue(hash, out var live))
        {
            // Perhaps set on another instance since the last refresh.
            await RefreshAsync(cancellationToken);
            if (!_snapshot.TryGetValue(hash, out live))
            {
                return false;
            }
        }

        await ChangeAsync(live with { Removed = true }, cancellationToken);
        return true;
    }

    /// <summary>Takes a change already stored (from another region, through sync): applied here when it is the latest known.</summary>
    public bool Apply(TorrentFactor factor)
    {
        lock (_gate)
        {
            if (!ApplyLocked(factor))
            {
                return false;
            }

            Rebuild();
            return true;
        }
    }

    /// <summary>Re-reads the factors from the store and forgets removals older than <see cref="ChangeVersion.TombstoneRetention"/>.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        List<InfoHash> before;
        lock (_gate)
        {
            before = [.. _known.Keys];
        }

        var factors = await store.ListAsync(cancellationToken);
        var seen = new HashSet<InfoHash>();
        var now = time.GetUtcNow();
        lock (_gate)
        {
            var changed = false;
            foreach (var factor in factors)
            {
                seen.Add(factor.Hash);
                changed |= ApplyLocked(factor);
            }

            // Gone from the store (a forgotten removal, or rows deleted by hand): gone here too.
            foreach (var hash in before)
            {
                changed |= !seen.Contains(hash) && _known.Remove(hash);
            }

            if (changed)
            {
                Rebuild();
            }
        }

        foreach (var factor in factors)
        {
            if (factor.Removed && ChangeVersion.IsForgettable(factor.Version, now))
            {
                await store.DeleteAsync(factor.Hash, factor.Version, cancellationToken);
            }
        }
    }

    private bool ApplyLocked(TorrentFactor factor)
    {
        ChangeVersion.Observe(ref _clock, factor.Version);
        if ((!factor.Removed && !factor.IsValid) || (_known.TryGetValue(factor.Hash, out var known) && !factor.Supersedes(known)))
        {
            return false;
        }

        _known[factor.Hash] = factor;
        return true;
    }

    private void Rebuild()
    {
        var live = new Dictionary<InfoHash, TorrentFactor>(_known.Count);
        foreach (var factor in _known.Values)
        {
            if (!factor.Removed)
            {
                live[factor.Hash] = factor;
            }
        }

        _snapshot = live;
    }

    /// <summary>Stores a change made here with a new version (again with a newer one if the store held a later change), then applies it.</summary>
    private async ValueTask<TorrentFactor> ChangeAsync(TorrentFactor factor, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            factor = factor with { Version = ChangeVersion.Next(time, ref _clock) };
            if (await store.PutAsync(factor, cancellationToken) || attempt == 2)
            {
                Apply(factor);
                return factor;
            }

            // Another instance or region changed it with a version ahead of our clock: learn it, then go after it.
            await RefreshAsync(cancellationToken);
        }
    }
}
