using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Stores;

/// <summary>Administration of swarms: look inside one, or drop it. Stores that can do so implement it beside <see cref="ISwarmStore"/>.</summary>
public interface ISwarmInspector
{
    /// <summary>One swarm with up to <paramref name="maxPeers"/> of its peers; null when the store does not hold it.</summary>
    ValueTask<SwarmDetails?> InspectAsync(InfoHash hash, int maxPeers, CancellationToken cancellationToken);

    /// <summary>Removes a swarm, its peers and its figures; false when the store did not hold it.</summary>
    ValueTask<bool> DropAsync(InfoHash hash, CancellationToken cancellationToken);
}

/// <summary>A swarm as an operator inspects it.</summary>
/// <param name="LastActivity">Last change, seconds since the Unix epoch.</param>
public sealed record SwarmDetails(InfoHash InfoHash, SwarmCounts Counts, uint LastActivity, IReadOnlyList<PeerView> Peers);

/// <summary>One peer as an operator sees it.</summary>
/// <param name="LastSeen">Last announce, seconds since the Unix epoch.</param>
/// <param name="Remote">Learned from another region by sync.</param>
public readonly record struct PeerView(PeerId Id, PeerAddress Address, ushort Port, bool Seeder, uint LastSeen, bool Remote);
