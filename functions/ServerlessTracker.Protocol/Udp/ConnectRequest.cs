namespace ServerlessTracker.Protocol.Udp;

/// <summary>Reads a BEP 15 connect request.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     8    protocol_id     0x41727101980
///  8     4    action          0 (connect)
/// 12     4    transaction_id
/// 16          (anything longer is ignored)
/// </code>
/// A connect comes from an address nobody has verified, so every failure is silent: answering a
/// wrong magic number would let anyone aim our packets at a spoofed address.
/// </remarks>
public static class ConnectRequest
{
    /// <summary>Accepts a connect packet and returns its transaction id, or says to drop it.</summary>
    public static UdpParseResult Parse(ReadOnlySpan<byte> packet, out uint transactionId)
    {
        transactionId = 0;
        if (!UdpRequestHeader.TryRead(packet, out var header)
            || header.KnownAction != UdpAction.Connect
            || header.ConnectionId != UdpRequestHeader.ProtocolId)
        {
            return UdpParseResult.Drop;
        }

        transactionId = header.TransactionId;
        return UdpParseResult.Ok;
    }

    /// <summary>Writes a connect request (for clients, tools and tests); returns 16.</summary>
    public static int Write(Span<byte> destination, uint transactionId)
    {
        UdpRequestHeader.Write(destination, UdpRequestHeader.ProtocolId, UdpAction.Connect, transactionId);
        return UdpRequestHeader.Length;
    }
}
