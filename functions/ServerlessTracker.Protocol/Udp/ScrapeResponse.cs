using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>Writes and reads the BEP 15 scrape answer.</summary>
/// <remarks>
/// <code>
/// offset     size field
///  0         4    action          2 (scrape)
///  4         4    transaction_id
///  8 + 12i   4    seeders         of the i-th requested hash, in request order
/// 12 + 12i   4    completed
/// 16 + 12i   4    leechers
/// </code>
/// Counts above 2^31-1 are sent as 2^31-1.
/// </remarks>
public static class ScrapeResponse
{
    public const int HeaderLength = 8;
    public const int EntryLength = 12;

    public static int LengthOf(int count) => HeaderLength + (count * EntryLength);

    /// <summary>Writes the header; entries follow with <see cref="WriteEntry"/>.</summary>
    public static void WriteHeader(Span<byte> destination, uint transactionId)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)UdpAction.Scrape);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], transactionId);
    }

    public static void WriteEntry(Span<byte> destination, int index, long seeders, long completed, long leechers)
    {
        var entry = destination.Slice(HeaderLength + (index * EntryLength), EntryLength);
        BinaryPrimitives.WriteInt32BigEndian(entry, AnnounceResponse.Clamp(seeders));
        BinaryPrimitives.WriteInt32BigEndian(entry[4..], AnnounceResponse.Clamp(completed));
        BinaryPrimitives.WriteInt32BigEndian(entry[8..], AnnounceResponse.Clamp(leechers));
    }

    /// <summary>Reads an answer (for clients, tools and tests); the entries are a slice of <paramref name="packet"/>.</summary>
    public static bool TryRead(ReadOnlySpan<byte> packet, out uint transactionId, out ReadOnlySpan<byte> entries)
    {
        transactionId = 0;
        entries = default;
        if (packet.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(packet) != (uint)UdpAction.Scrape)
        {
            return false;
        }

        transactionId = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        entries = packet[HeaderLength..];
        return true;
    }

    /// <summary>Reads the i-th entry of <paramref name="entries"/> as returned by <see cref="TryRead"/>.</summary>
    public static (int Seeders, int Completed, int Leechers) ReadEntry(ReadOnlySpan<byte> entries, int index)
    {
        var entry = entries.Slice(index * EntryLength, EntryLength);
        return (BinaryPrimitives.ReadInt32BigEndian(entry), BinaryPrimitives.ReadInt32BigEndian(entry[4..]), BinaryPrimitives.ReadInt32BigEndian(entry[8..]));
    }
}
