using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>Writes and reads the BEP 15 connect answer.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     4    action          0 (connect)
///  4     4    transaction_id
///  8     8    connection_id
/// 16
/// </code>
/// Exactly as long as the request, so answering an unverified address amplifies nothing.
/// </remarks>
public static class ConnectResponse
{
    public const int Length = 16;

    public static int Write(Span<byte> destination, uint transactionId, ulong connectionId)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)UdpAction.Connect);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], transactionId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], connectionId);
        return Length;
    }

    /// <summary>Reads a connect answer (for clients, tools and tests).</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out uint transactionId, out ulong connectionId)
    {
        transactionId = 0;
        connectionId = 0;
        if (packet.Length < Length || BinaryPrimitives.ReadUInt32BigEndian(packet) != (uint)UdpAction.Connect)
        {
            return false;
        }

        transactionId = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        connectionId = BinaryPrimitives.ReadUInt64BigEndian(packet[8..]);
        return true;
    }
}
