using System.Buffers.Binary;
using System.Net;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Storage.Tests;

/// <summary>Announce commands for numbered peers and torrents.</summary>
public static class Peers
{
    public static InfoHash Hash(int n)
    {
        var bytes = new byte[InfoHash.Length];
        bytes[0] = 0xfe;
        bytes[1] = 0x80;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), n);
        return InfoHash.FromBytes(bytes);
    }

    /// <summary>A peer id shaped like a real client's (a fixed "-qB4650-" prefix), unique per number.</summary>
    public static PeerId Id(int n)
    {
        var bytes = new byte[PeerId.Length];
        "-qB4650-"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), n);
        bytes[12] = 0xff;
        return PeerId.FromBytes(bytes);
    }

    public static PeerAddress Address(int n) => PeerAddress.FromIPAddress(new IPAddress(new byte[] { 10, (byte)(n >> 16), (byte)(n >> 8), (byte)n }));

    public static AnnounceCommand Command(InfoHash hash, int peer, PeerEvent @event = PeerEvent.None, long left = 100, int numWant = 50) =>
        new(hash, Id(peer), Address(peer), (ushort)(6881 + (peer % 1000)), @event, 0, 0, left, numWant, 0, false, AddressFamilies.Both);

    public static async Task<AnnounceResult> AnnounceAsync(this ISwarmStore store, AnnounceCommand command, int capacity = 200)
    {
        var result = new AnnounceResult(capacity);
        await store.AnnounceAsync(command, result, CancellationToken.None);
        return result;
    }

    public static async Task<SwarmCounts> ScrapeAsync(this ISwarmStore store, InfoHash hash)
    {
        var counts = new SwarmCounts[1];
        await store.ScrapeAsync(new[] { hash }, counts, CancellationToken.None);
        return counts[0];
    }

    /// <summary>The number an address made by <see cref="Address"/> stands for.</summary>
    public static int Number(PeerAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.Write16(bytes);
        return (bytes[13] << 16) | (bytes[14] << 8) | bytes[15];
    }

    /// <summary>The 4-byte addresses in a compact peer list, as numbers.</summary>
    public static HashSet<int> Numbers(AnnounceResult result)
    {
        var set = new HashSet<int>();
        var peers = result.Peers4;
        for (var i = 0; i < peers.Length; i += 6)
        {
            set.Add((peers[i + 1] << 16) | (peers[i + 2] << 8) | peers[i + 3]);
        }

        return set;
    }
}
