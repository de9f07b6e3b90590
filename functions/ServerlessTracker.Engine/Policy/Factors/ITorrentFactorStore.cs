namespace ServerlessTracker.Engine.Policy.Factors;

/// <summary>Where per-torrent factors are kept: in memory (standalone) or in Table Storage.</summary>
/// <remarks>A store keeps one row per info-hash: the latest change, factors or a removal (tombstone), by <see cref="TorrentFactor.Version"/>.</remarks>
public interface ITorrentFactorStore
{
    /// <summary>Every torrent's factors, removals included.</summary>
    ValueTask<IReadOnlyList<TorrentFactor>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Stores a change (factors, or a removal) unless the stored change for the hash supersedes it; true when stored.</summary>
    ValueTask<bool> PutAsync(TorrentFactor factor, CancellationToken cancellationToken);

    /// <summary>Deletes the hash's row for good if it still holds <paramref name="version"/> (forgetting an old removal);
    /// false when it was kept because it changed since.</summary>
    ValueTask<bool> DeleteAsync(InfoHash hash, long version, CancellationToken cancellationToken);
}

/// <summary>The standalone default: factors in process memory.</summary>
public sealed class InMemoryTorrentFactorStore : ITorrentFactorStore
{
    private readonly Dictionary<InfoHash, TorrentFactor> _factors = [];
    private readonly Lock _gate = new();

    public ValueTask<IReadOnlyList<TorrentFactor>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<TorrentFactor>>([.. _factors.Values]);
        }
    }

    public ValueTask<bool> PutAsync(TorrentFactor factor, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_factors.TryGetValue(factor.Hash, out var stored) && !factor.Supersedes(stored))
            {
                return ValueTask.FromResult(false);
            }

            _factors[factor.Hash] = factor;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> DeleteAsync(InfoHash hash, long version, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(!_factors.TryGetValue(hash, out var stored) || (stored.Version == version && _factors.Remove(hash)));
        }
    }
}
