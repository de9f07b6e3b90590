using System.Buffers.Binary;

namespace ServerlessTracker.UdpLoad;

/// <summary>The deterministic torrents and peers of a run: peer i belongs to torrent i mod T and uses port 10000 + i.</summary>
internal static class Workload
{
    public static byte[][] InfoHashes(int count, int seed)
    {
        var random = new Random(seed);
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            hashes[i] = new byte[20];
            random.NextBytes(hashes[i]);
        }

        return hashes;
    }

    public static void WritePeerId(Span<byte> destination, int peer)
    {
        "-UL0001-"u8.CopyTo(destination);
        for (var i = 19; i >= 8; i--)
        {
            destination[i] = (byte)('0' + (peer % 10));
            peer /= 10;
        }
    }

    public static ushort Port(int peer) => (ushort)(10_000 + peer);

    /// <summary>One peer in four is a seeder.</summary>
    public static long Left(int peer) => peer % 4 == 0 ? 0 : 1_000_000;

    public static void WriteCounters(Span<byte> announce, long left) => BinaryPrimitives.WriteInt64BigEndian(announce[64..], left);
}
