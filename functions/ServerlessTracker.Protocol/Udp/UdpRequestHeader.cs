using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>The 16 bytes every BEP 15 request starts with.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     8    connection_id   (the protocol id 0x41727101980 in a connect)
///  8     4    action          (0 connect, 1 announce, 2 scrape)
/// 12     4    transaction_id  (echoed in the answer)
/// </code>
/// All integers are big-endian. A datagram shorter than this cannot be answered (there is no
/// transaction id to echo), so it is dropped.
/// </remarks>
public readonly record struct UdpRequestHeader(ulong ConnectionId, uint Action, uint TransactionId)
{
    public const int Length = 16;

    /// <summary>The magic connection id of a connect request (BEP 15).</summary>
    public const ulong ProtocolId = 0x41727101980UL;

    public UdpAction KnownAction => (UdpAction)Action;

    /// <summary>Reads the header; false for a datagram shorter than 16 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out UdpRequestHeader header)
    {
        if (packet.Length < Length)
        {
            header = default;
            return false;
        }

        header = new UdpRequestHeader(
            BinaryPrimitives.ReadUInt64BigEndian(packet),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[12..]));
        return true;
    }

    /// <summary>Writes a header (for clients, tools and tests).</summary>
    public static void Write(Span<byte> destination, ulong connectionId, UdpAction action, uint transactionId)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, connectionId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)action);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], transactionId);
    }
}
