using System.Net;

namespace ServerlessTracker.Protocol.Http;

/// <summary>An HTTP announce (BEP 3, 7, 23) as parsed from the raw query bytes.</summary>
public struct AnnounceRequest
{
    public const int DefaultNumWant = -1;

    public Bytes20 InfoHash;
    public Bytes20 PeerId;
    public ushort Port;
    public long Uploaded;
    public long Downloaded;
    public long Left;
    public AnnounceEvent Event;

    /// <summary>Peers asked for; <see cref="DefaultNumWant"/> when absent or negative.</summary>
    public int NumWant;

    /// <summary>BEP 23 compact peers; true unless <c>compact=0</c>.</summary>
    public bool Compact;

    public bool NoPeerId;

    /// <summary><c>no_peer_id=0</c> was sent: the client asks for peer ids in a dictionary answer.</summary>
    public bool PeerIdsAsked;

    /// <summary>The client's <c>key</c>: eight or fewer hex digits as their value, anything else hashed to 32 bits.</summary>
    public uint Key;

    public bool HasKey;

    /// <summary>The address the client claims in <c>ip</c>, <c>ipv4</c> or <c>ipv6</c>; honoured only if the operator allows it.</summary>
    public IPAddress? ClaimedAddress;
}
