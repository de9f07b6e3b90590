namespace ServerlessTracker.Protocol.Udp;

/// <summary>Reads a BEP 15 scrape request.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     8    connection_id
///  8     4    action          2 (scrape)
/// 12     4    transaction_id
/// 16    20n   info_hash, n >= 1
/// </code>
/// At most <see cref="MaxInfoHashes"/> hashes are served (so the answer fits one ordinary datagram);
/// hashes past that and a trailing partial hash are ignored, as BEP 15 asks trackers to tolerate
/// longer packets. A scrape with no whole hash is answered with an error.
/// </remarks>
public static class ScrapeRequestParser
{
    public const int MaxInfoHashes = 74;

    /// <summary>Returns the whole 20-byte hashes (a slice of <paramref name="packet"/>, at most 74) in <paramref name="infoHashes"/>.</summary>
    public static UdpParseResult Parse(ReadOnlySpan<byte> packet, out uint transactionId, out ReadOnlySpan<byte> infoHashes)
    {
        infoHashes = default;
        transactionId = 0;
        if (!UdpRequestHeader.TryRead(packet, out var header))
        {
            return UdpParseResult.Drop;
        }

        transactionId = header.TransactionId;
        var count = Math.Min((packet.Length - UdpRequestHeader.Length) / Bytes20.Length, MaxInfoHashes);
        if (count == 0)
        {
            return UdpParseResult.Fail(UdpRequestError.NoInfoHash);
        }

        infoHashes = packet.Slice(UdpRequestHeader.Length, count * Bytes20.Length);
        return UdpParseResult.Ok;
    }

    /// <summary>Writes a scrape request (for clients, tools and tests); <paramref name="infoHashes"/> holds whole 20-byte hashes.</summary>
    public static int Write(Span<byte> destination, ulong connectionId, uint transactionId, ReadOnlySpan<byte> infoHashes)
    {
        UdpRequestHeader.Write(destination, connectionId, UdpAction.Scrape, transactionId);
        infoHashes.CopyTo(destination[UdpRequestHeader.Length..]);
        return UdpRequestHeader.Length + infoHashes.Length;
    }
}
