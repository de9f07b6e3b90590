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
/// <param name="UploadedDelta">Bytes uploaded since the peer's previous announce (for private-mode accounting).</param>
/// <param name="DownloadedDelta">Bytes downloaded since the peer's previous announce.</param>
public readonly record struct PeerUpdate(
    InfoHash InfoHash,
    PeerId PeerId,
    PeerAddress Address,
    ushort Port,
    ReplicatedPeerState State,
    bool Completed,
    long AnnouncedAtMs,
    long UploadedDelta,
    long DownloadedDelta)
{
    public uint AnnouncedAtSeconds => (uint)(AnnouncedAtMs / 1000);
}

/// <summary>A store that can take peer changes made elsewhere.</summary>
/// <remarks>
/// Delivery is at least once and in any order, so applying must be idempotent and commutative:
/// the later announce wins per peer, a stop leaves a tombstone that beats older announces, and a
/// change older than the peer TTL is dropped (it would only resurrect an expired peer).
/// </remarks>
public interface IPeerUpdateTarget
{
    /// <summary>Applies the updates; returns how many changed something.</summary>
    ValueTask<int> ApplyAsync(ReadOnlyMemory<PeerUpdate> updates, CancellationToken cancellationToken);
}
