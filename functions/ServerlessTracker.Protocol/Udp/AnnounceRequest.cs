using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>A BEP 15 announce as read from the datagram, with its BEP 41 URL data.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     8    connection_id
///  8     4    action          1 (announce)
/// 12     4    transaction_id
/// 16    20    info_hash
/// 36    20    peer_id
/// 56     8    downloaded      (signed)
/// 64     8    left            (signed)
/// 72     8    uploaded        (signed)
/// 80     4    event           0 none, 1 completed, 2 started, 3 stopped
/// 84     4    ip address      0 = the sender's (IPv4 only; trackers may ignore it)
/// 88     4    key
/// 92     4    num_want        (signed; -1 = tracker's default)
/// 96     2    port
/// 98     ...  BEP 41 options (see <see cref="UrlDataOptions"/>)
/// </code>
/// </remarks>
public struct AnnounceRequest
{
    /// <summary>The fixed part of an announce, before the BEP 41 options.</summary>
    public const int Length = 98;

    public const int DefaultNumWant = -1;

    public ulong ConnectionId;
    public uint TransactionId;
    public Bytes20 InfoHash;
    public Bytes20 PeerId;
    public long Downloaded;
    public long Left;
    public long Uploaded;
    public AnnounceEvent Event;

    /// <summary>The address the client claims (network order as a big-endian integer), 0 when none; honoured only if an operator allows it.</summary>
    public uint ClaimedIPv4;

    public uint Key;

    /// <summary>Peers asked for; <see cref="DefaultNumWant"/> when the client sent any negative value.</summary>
    public int NumWant;

    public ushort Port;

    /// <summary>Bytes of BEP 41 URL data (path and query) written to the caller's buffer.</summary>
    public int UrlDataLength;

    /// <summary>Writes the fixed 98 bytes (for clients, tools and tests); returns 98.</summary>
    public readonly int Write(Span<byte> destination)
    {
        UdpRequestHeader.Write(destination, ConnectionId, UdpAction.Announce, TransactionId);
        ((ReadOnlySpan<byte>)InfoHash).CopyTo(destination[16..]);
        ((ReadOnlySpan<byte>)PeerId).CopyTo(destination[36..]);
        BinaryPrimitives.WriteInt64BigEndian(destination[56..], Downloaded);
        BinaryPrimitives.WriteInt64BigEndian(destination[64..], Left);
        BinaryPrimitives.WriteInt64BigEndian(destination[72..], Uploaded);
        BinaryPrimitives.WriteUInt32BigEndian(destination[80..], (uint)Event);
        BinaryPrimitives.WriteUInt32BigEndian(destination[84..], ClaimedIPv4);
        BinaryPrimitives.WriteUInt32BigEndian(destination[88..], Key);
        BinaryPrimitives.WriteInt32BigEndian(destination[92..], NumWant);
        BinaryPrimitives.WriteUInt16BigEndian(destination[96..], Port);
        return Length;
    }
}
