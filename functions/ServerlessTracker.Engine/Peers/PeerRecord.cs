using System.Runtime.InteropServices;

namespace ServerlessTracker.Engine.Peers;

/// <summary>Flags kept with each peer.</summary>
[Flags]
public enum PeerFlags : byte
{
    None = 0,

    /// <summary>This peer's <c>completed</c> event was counted in the swarm's downloaded figure.</summary>
    CountedComplete = 1,

    /// <summary>The peer announced with a <c>key</c>, which later announces from another address must repeat.</summary>
    HasKey = 2,

    /// <summary>Learned from another region (sync), not announced here.</summary>
    Remote = 4,
}

/// <summary>One peer of a swarm, whole: what stores, sync and inspection exchange with a swarm. The swarm itself keeps it in
/// two parts (a 48-byte entry, and the counters and owner only where accounting needs them).</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public struct PeerRecord
{
    public PeerId Id;
    public PeerAddress Address;
    public ushort Port;
    public PeerFlags Flags;
    private readonly byte _reserved;
    public uint Key;

    /// <summary>Last announce, in seconds since the Unix epoch.</summary>
    public uint LastSeen;

    /// <summary>The session's <c>uploaded</c> counter at the last accounted announce, for accounting deltas; 0 on an open tracker.</summary>
    public long Uploaded;

    /// <summary>The session's <c>downloaded</c> counter at the last announce.</summary>
    public long Downloaded;

    /// <summary>The passkey the peer announced with (<see cref="AnnounceCommand.Owner"/>); 0 for none.</summary>
    public uint Owner;
}
