namespace ServerlessTracker.Engine.Peers;

/// <summary>What a peer's stored row says: a live leecher or seeder, or a stop.</summary>
public enum StoredPeerState : byte
{
    Leecher = 0,
    Seeder = 1,
    Stopped = 2,
}

/// <summary>A peer's row as a store read it back (a point read), for a swarm copy that may lack the peer or hold it stale.</summary>
/// <param name="Record">The peer; <see cref="PeerRecord.LastSeen"/> is the row's time (of its last announce, or of its stop).</param>
/// <param name="HasCounters">The row holds the session's counters (tombstones written before they kept them do not).</param>
public readonly record struct StoredPeer(PeerRecord Record, StoredPeerState State, bool HasCounters = true);
