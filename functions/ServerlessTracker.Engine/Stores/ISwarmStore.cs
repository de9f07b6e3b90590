namespace ServerlessTracker.Engine.Stores;

/// <summary>Where swarms live: the in-memory store, or Table Storage behind a per-instance cache.</summary>
/// <remarks>
/// Every store applies the same rules (<see cref="Swarms.Swarm"/>); they differ in durability and in
/// how many instances share the state. An announce completes only once its change is stored.
/// </remarks>
public interface ISwarmStore
{
    /// <summary>Records the announce and fills <paramref name="result"/>; faults surface as <see cref="AnnounceStatus.StoreUnavailable"/>.</summary>
    ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken);

    /// <summary>Counts for each hash (zeros for unknown swarms), written to <paramref name="counts"/> at the same index;
    /// <see cref="ScrapeStatus.StoreUnavailable"/> when storage failed and some count would be a guess.</summary>
    ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken);

    /// <summary>Whether this store may hold a swarm for <paramref name="hash"/>, answered from memory: false means no swarm
    /// has it as far as this instance knows, so a scrape reports zeros and a stop changes nothing without reading storage,
    /// and an announce would create the swarm. A store that cannot tell answers true.</summary>
    bool MayHold(InfoHash hash) => true;

    /// <summary>Every known swarm with its counts, for full scrape and statistics.</summary>
    ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken);

    /// <summary>Removes peers not seen within the peer TTL and swarms that are empty and retired.</summary>
    ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken);
}

/// <summary>What one purge run removed and how much it looked at.</summary>
public readonly record struct PurgeReport(int SwarmsVisited, int PeersRemoved, int SwarmsRemoved, TimeSpan Elapsed);
