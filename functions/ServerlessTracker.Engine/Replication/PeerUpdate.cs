using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Replication;

/// <summary>What a replicated peer became: the last announce decides.</summary>
public enum ReplicatedPeerState : byte
{
    Leecher = 0,
    Seeder = 1,
    Stopped = 2,
}

/// <summary>One peer's change as another region (or instance) learns it: the unit of cross-region sync.</summary>
/// <param name="AnnouncedAtMs">When the peer announced, Unix milliseconds at its origin: the last announce wins.</param>
/// <param name="Completed">The origin counted this peer's <c>completed</c>; receivers count it once too.</param>
/// <param name="Uploaded">The session's <c>uploaded</c> counter as of this announce (not a delta): receivers keep it as the
/// base of the peer's next accounting delta, so a peer that moves to another region is credited only what it adds there.</param>
/// <param name="Downloaded">The session's <c>downloaded</c> counter as of this announce.</param>
/// <param name="Key">The peer's <c>key</c>, when <paramref name="HasKey"/>: receivers hold the peer id to it as the origin
/// does (a change from another address that does not repeat it is refused).</param>
/// <param name="HasKey">The announce carried a <c>key</c>.</param>
public readonly record struct PeerUpdate(
    InfoHash InfoHash,
    PeerId PeerId,
    PeerAddress Address,
    ushort Port,
    ReplicatedPeerState State,
    bool Completed,
    long AnnouncedAtMs,
    long Uploaded,
    long Downloaded,
    uint Key = 0,
    bool HasKey = false)
{
    public uint AnnouncedAtSeconds => (uint)(AnnouncedAtMs / 1000);
}

/// <summary>A store that can take peer changes made elsewhere.</summary>
/// <remarks>
/// Delivery is at least once and in any order, so applying must be idempotent and commutative:
/// the later announce wins per peer, a stop leaves a tombstone that beats older announces, and a
/// change older than the peer TTL is dropped (it would only resurrect an expired peer). A change is held to the
/// peer's <c>key</c> as a local announce is: from another address without the key it is refused.
/// </remarks>
public interface IPeerUpdateTarget
{
    /// <summary>Applies the updates; returns how many changed something.</summary>
    ValueTask<int> ApplyAsync(ReadOnlyMemory<PeerUpdate> updates, CancellationToken cancellationToken);
}
