using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>Writes and reads the BEP 15 announce answer.</summary>
/// <remarks>
/// <code>
/// offset size field
///  0     4    action          1 (announce)
///  4     4    transaction_id
///  8     4    interval        (seconds)
/// 12     4    leechers
/// 16     4    seeders
/// 20     6n   IPv4 peers: address (4), port (2)       to a client that asked over IPv4
/// 20    18n   IPv6 peers: address (16), port (2)      to a client that asked over IPv6
/// </code>
/// The peer size follows the family of the socket the request came in on (BEP 15's IPv6 note).
/// Counts above 2^31-1 are sent as 2^31-1.
/// </remarks>
public static class AnnounceResponse
{
    public const int HeaderLength = 20;

    /// <summary>Bytes needed for an answer carrying <paramref name="peerBytes"/> of compact peers.</summary>
    public static int LengthOf(int peerBytes) => HeaderLength + peerBytes;

    /// <summary>Writes the answer; <paramref name="compactPeers"/> are whole 6- or 18-byte entries.</summary>
    public static int Write(Span<byte> destination, uint transactionId, int interval, long leechers, long seeders, ReadOnlySpan<byte> compactPeers)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)UdpAction.Announce);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], transactionId);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], interval);
        BinaryPrimitives.WriteInt32BigEndian(destination[12..], Clamp(leechers));
        BinaryPrimitives.WriteInt32BigEndian(destination[16..], Clamp(seeders));
        compactPeers.CopyTo(destination[HeaderLength..]);
        return HeaderLength + compactPeers.Length;
    }

    /// <summary>Reads an answer (for clients, tools and tests); the peers are a slice of <paramref name="packet"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out uint transactionId, out int interval, out int leechers, out int seeders, out ReadOnlySpan<byte> compactPeers)
    {
        transactionId = 0;
        interval = leechers = seeders = 0;
        compactPeers = default;
        if (packet.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(packet) != (uint)UdpAction.Announce)
        {
            return false;
        }

        transactionId = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        interval = BinaryPrimitives.ReadInt32BigEndian(packet[8..]);
        leechers = BinaryPrimitives.ReadInt32BigEndian(packet[12..]);
        seeders = BinaryPrimitives.ReadInt32BigEndian(packet[16..]);
        compactPeers = packet[HeaderLength..];
        return true;
    }

    internal static int Clamp(long value) => value > int.MaxValue ? int.MaxValue : value < 0 ? 0 : (int)value;
}
