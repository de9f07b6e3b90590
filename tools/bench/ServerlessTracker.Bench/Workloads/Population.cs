using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessTracker.Bench.Workloads;

/// <summary>
/// The simulated world, fixed by the seed: torrents with random binary info-hashes and Zipf popularity, and peers,
/// each in one torrent, with a unique binary peer_id, a port unique within its torrent (all peers come from
/// 127.0.0.1, and opentracker tells peers apart by address and port), a key, and a starting amount left.
/// </summary>
public sealed class Population
{
    /// <summary>First port handed out in every torrent; ports count up from here per torrent.</summary>
    public const int FirstPort = 10000;

    private Population(WorkloadSettings settings, byte[][] infoHashes, long[] torrentSizes, ZipfSampler popularity, PeerTemplate[] peers)
    {
        Settings = settings;
        InfoHashes = infoHashes;
        EncodedInfoHashes = Array.ConvertAll(infoHashes, PercentEncode);
        TorrentSizes = torrentSizes;
        Popularity = popularity;
        Peers = peers;
    }

    public WorkloadSettings Settings { get; }

    /// <summary>The raw 20-byte info-hashes, by torrent index (index = popularity rank).</summary>
    public byte[][] InfoHashes { get; }

    /// <summary>The info-hashes percent-encoded as a client sends them.</summary>
    public byte[][] EncodedInfoHashes { get; }

    public long[] TorrentSizes { get; }

    public ZipfSampler Popularity { get; }

    public PeerTemplate[] Peers { get; }

    public static Population Create(WorkloadSettings settings)
    {
        var random = new Random(settings.Seed);
        var infoHashes = new byte[settings.Torrents][];
        var sizes = new long[settings.Torrents];
        for (var t = 0; t < settings.Torrents; t++)
        {
            // Hashed so the bytes look like real info-hashes: every byte value, most not valid UTF-8.
#pragma warning disable CA5350 // BitTorrent v1 info-hashes are SHA-1 by the protocol; nothing here is a security use.
            infoHashes[t] = SHA1.HashData(Encoding.ASCII.GetBytes($"bench-torrent-{settings.Seed}-{t}"));
#pragma warning restore CA5350
            sizes[t] = random.NextInt64(50L << 20, 4L << 30);
        }

        var popularity = new ZipfSampler(settings.Torrents, settings.ZipfExponent);
        var nextPort = new int[settings.Torrents];
        var peers = new PeerTemplate[settings.Peers];
        Span<byte> peerId = stackalloc byte[20];
        for (var p = 0; p < settings.Peers; p++)
        {
            var torrent = popularity.Sample(random);
            var port = FirstPort + (nextPort[torrent]++ % (65535 - FirstPort));
            "-BM0100-"u8.CopyTo(peerId);
            random.NextBytes(peerId[8..]);
            var key = (uint)random.Next();
            var size = sizes[torrent];
            var left = random.NextDouble() < settings.SeederShare ? 0 : random.NextInt64(1, size);
            peers[p] = new PeerTemplate(torrent, (ushort)port, key, left, BuildQueryPrefix(infoHashes[torrent], peerId, port));
        }

        return new Population(settings, infoHashes, sizes, popularity, peers);
    }

    /// <summary>How many peers each torrent got (for the report).</summary>
    public int[] PeersPerTorrent()
    {
        var counts = new int[InfoHashes.Length];
        foreach (var peer in Peers)
        {
            counts[peer.Torrent]++;
        }

        return counts;
    }

    /// <summary>Percent-encodes like common clients: RFC 3986 unreserved bytes kept, every other byte as %XX.</summary>
    public static byte[] PercentEncode(byte[] raw)
    {
        var output = new List<byte>(raw.Length * 3);
        foreach (var b in raw)
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                output.Add(b);
            }
            else
            {
                output.Add((byte)'%');
                output.Add((byte)"0123456789ABCDEF"[b >> 4]);
                output.Add((byte)"0123456789ABCDEF"[b & 15]);
            }
        }

        return output.ToArray();
    }

    private static byte[] BuildQueryPrefix(byte[] infoHash, ReadOnlySpan<byte> peerId, int port)
    {
        var builder = new List<byte>(128);
        builder.AddRange("info_hash="u8);
        builder.AddRange(PercentEncode(infoHash));
        builder.AddRange("&peer_id="u8);
        builder.AddRange(PercentEncode(peerId.ToArray()));
        builder.AddRange("&port="u8);
        Span<byte> digits = stackalloc byte[8];
        Utf8Formatter.TryFormat(port, digits, out var written);
        builder.AddRange(digits[..written]);
        return builder.ToArray();
    }
}

/// <summary>One simulated peer as it starts: its torrent, port, key, bytes left, and its fixed query prefix.</summary>
public sealed record PeerTemplate(int Torrent, ushort Port, uint Key, long InitialLeft, byte[] QueryPrefix);
