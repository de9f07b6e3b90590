using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>Writes and reads the BEP 15 error packet.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     4    action          3 (error)
///  4     4    transaction_id
///  8     n    message         (ASCII, no terminator; the datagram's end ends it)
/// </code>
/// </remarks>
public static class ErrorResponse
{
    public const int HeaderLength = 8;

    public static int LengthOf(UdpRequestError error) => HeaderLength + UdpRequestErrors.Message(error).Length;

    public static int Write(Span<byte> destination, uint transactionId, UdpRequestError error) =>
        Write(destination, transactionId, UdpRequestErrors.Message(error));

    public static int Write(Span<byte> destination, uint transactionId, ReadOnlySpan<byte> message)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)UdpAction.Error);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], transactionId);
        message.CopyTo(destination[HeaderLength..]);
        return HeaderLength + message.Length;
    }

    /// <summary>Reads an error packet (for clients, tools and tests); the message is a slice of <paramref name="packet"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out uint transactionId, out ReadOnlySpan<byte> message)
    {
        transactionId = 0;
        message = default;
        if (packet.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(packet) != (uint)UdpAction.Error)
        {
            return false;
        }

        transactionId = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        message = packet[HeaderLength..];
        return true;
    }
}
