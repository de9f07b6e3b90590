using System.Buffers.Binary;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine;

/// <summary>How an announce ended.</summary>
public enum AnnounceStatus : byte
{
    Ok = 0,

    /// <summary>The peer id is held by a peer that announced a <c>key</c> from another address, and this request did not repeat it.</summary>
    KeyMismatch,

    /// <summary>The store could not record the announce in time; answer with a retry hint and store nothing.</summary>
    StoreUnavailable,

    /// <summary>A new peer of a swarm that holds <see cref="SwarmSettings.MaxPeersPerSwarm"/> peers; nothing stored.</summary>
    SwarmFull,

    /// <summary>A new peer of a passkey that has <see cref="SwarmSettings.MaxPeersPerPasskey"/> peers in the swarm; nothing stored.</summary>
    PasskeyPeerLimit,
}

/// <summary>What an announce did to the peer's record; stores and sync use it to decide what to write.</summary>
public enum PeerChange : byte
{
    /// <summary>Nothing stored: a <c>stopped</c> from a peer the swarm did not hold, or a refused announce.</summary>
    None = 0,
    Added,
    Updated,
    Removed,

    /// <summary>A re-announce inside the rewrite window that changed nothing a store keeps: answered from the swarm,
    /// nothing written or replicated (see <see cref="SwarmSettings.RewriteWindowSeconds"/>).</summary>
    Unchanged,
}

/// <summary>A reusable announce answer: counts and selected peers as compact bytes, buffers sized once.</summary>
/// <remarks>Pool instances: one holds about 44 bytes per peer of capacity and is reset by every announce.</remarks>
public sealed class AnnounceResult
{
    private readonly byte[] _peers4;
    private readonly byte[] _peers6;
    private readonly byte[] _ids4;
    private readonly byte[] _ids6;

    public AnnounceResult(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        Capacity = capacity;
        _peers4 = new byte[capacity * 6];
        _peers6 = new byte[capacity * 18];
        _ids4 = new byte[capacity * PeerId.Length];
        _ids6 = new byte[capacity * PeerId.Length];
    }

    public int Capacity { get; }

    /// <summary>Whether selected peers' ids are kept (<see cref="PeerIds4"/>, <see cref="PeerIds6"/>): only a dictionary answer
    /// that names them needs them, and copying 20 bytes a peer otherwise is a cost on every compact and UDP answer. Set by the
    /// caller before an announce; <see cref="Reset"/> leaves it.</summary>
    public bool KeepsPeerIds { get; set; } = true;

    public AnnounceStatus Status { get; set; }

    public PeerChange Change { get; set; }

    /// <summary>This announce's <c>completed</c> was counted (first one from this peer).</summary>
    public bool CountedCompletion { get; set; }

    /// <summary>Bytes uploaded since this peer's previous announce (accounting).</summary>
    public long UploadedDelta { get; set; }

    /// <summary>Bytes downloaded since this peer's previous announce (accounting).</summary>
    public long DownloadedDelta { get; set; }

    public SwarmCounts Counts { get; set; }

    /// <summary>Seconds a refused client should wait (<see cref="AnnounceStatus.StoreUnavailable"/>).</summary>
    public int RetryInSeconds { get; set; }

    public int Peers4Count { get; private set; }

    public int Peers6Count { get; private set; }

    public int PeerCount => Peers4Count + Peers6Count;

    public ReadOnlySpan<byte> Peers4 => _peers4.AsSpan(0, Peers4Count * 6);

    public ReadOnlySpan<byte> Peers6 => _peers6.AsSpan(0, Peers6Count * 18);

    /// <summary>The ids of <see cref="Peers4"/>, in order; empty unless <see cref="KeepsPeerIds"/>.</summary>
    public ReadOnlySpan<byte> PeerIds4 => KeepsPeerIds ? _ids4.AsSpan(0, Peers4Count * PeerId.Length) : default;

    /// <summary>The ids of <see cref="Peers6"/>, in order; empty unless <see cref="KeepsPeerIds"/>.</summary>
    public ReadOnlySpan<byte> PeerIds6 => KeepsPeerIds ? _ids6.AsSpan(0, Peers6Count * PeerId.Length) : default;

    public void Reset()
    {
        Status = AnnounceStatus.Ok;
        Change = PeerChange.None;
        CountedCompletion = false;
        UploadedDelta = 0;
        DownloadedDelta = 0;
        Counts = default;
        RetryInSeconds = 0;
        Peers4Count = 0;
        Peers6Count = 0;
    }

    /// <summary>Drops the selected peers (for a refusal after selection).</summary>
    public void ClearPeers()
    {
        Peers4Count = 0;
        Peers6Count = 0;
    }

    /// <summary>Appends a peer; false when the buffers are full.</summary>
    public bool TryAdd(PeerId id, PeerAddress address, ushort port)
    {
        if (PeerCount >= Capacity)
        {
            return false;
        }

        if (address.IsIPv4)
        {
            var entry = _peers4.AsSpan(Peers4Count * 6, 6);
            address.WriteCompact(entry);
            BinaryPrimitives.WriteUInt16BigEndian(entry[4..], port);
            if (KeepsPeerIds)
            {
                id.CopyTo(_ids4.AsSpan(Peers4Count * PeerId.Length));
            }

            Peers4Count++;
        }
        else
        {
            var entry = _peers6.AsSpan(Peers6Count * 18, 18);
            address.Write16(entry);
            BinaryPrimitives.WriteUInt16BigEndian(entry[16..], port);
            if (KeepsPeerIds)
            {
                id.CopyTo(_ids6.AsSpan(Peers6Count * PeerId.Length));
            }

            Peers6Count++;
        }

        return true;
    }
}
