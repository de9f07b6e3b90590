using System.Net;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Tests.Wire;

public class WhenEncodingPeerUpdates
{
    private static PeerUpdate Sample(int n, ReplicatedPeerState state) => new(
        InfoHash.FromBytes(Enumerable.Repeat((byte)(0xF0 + n), 20).ToArray()),
        PeerId.FromBytes(Enumerable.Repeat((byte)n, 20).ToArray()),
        PeerAddress.FromIPAddress(n % 2 == 0 ? IPAddress.Parse("203.0.113.7") : IPAddress.Parse("2001:db8::7")),
        (ushort)(50000 + n), state, n % 3 == 0, 1_800_000_000_123 + n, long.MaxValue - n, n);

    [Fact]
    public void ABatchRoundTrips()
    {
        var updates = Enumerable.Range(0, 9).Select(n => Sample(n, (ReplicatedPeerState)(n % 3))).ToArray();
        var bytes = PeerUpdateBatchCodec.Encode(updates);
        Assert.Equal(PeerUpdateBatchCodec.Length(9), bytes.Length);
        Assert.Equal(updates, PeerUpdateBatchCodec.Decode(bytes, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void AnEmptyBatchRoundTrips() =>
        Assert.Empty(PeerUpdateBatchCodec.Decode(PeerUpdateBatchCodec.Encode([]), out _)!);

    [Fact]
    public void TheHeaderIsMagicThenCount()
    {
        var bytes = PeerUpdateBatchCodec.Encode([Sample(1, ReplicatedPeerState.Seeder)]);
        Assert.Equal("STS1"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, bytes[4..8]);
        Assert.Equal(1, bytes[8 + 58]);
    }

    [Fact]
    public void MalformedBatchesAreRefused()
    {
        var good = PeerUpdateBatchCodec.Encode([Sample(1, ReplicatedPeerState.Leecher), Sample(2, ReplicatedPeerState.Seeder)]);
        Assert.Null(PeerUpdateBatchCodec.Decode(good[..^1], out _));
        Assert.Null(PeerUpdateBatchCodec.Decode([.. good, 0], out _));
        Assert.Null(PeerUpdateBatchCodec.Decode(good[..7], out _));

        var wrongMagic = good.ToArray();
        wrongMagic[0] = (byte)'X';
        Assert.Null(PeerUpdateBatchCodec.Decode(wrongMagic, out _));

        var hugeCount = good.ToArray();
        hugeCount[4] = 0xFF;
        Assert.Null(PeerUpdateBatchCodec.Decode(hugeCount, out _));

        var badState = good.ToArray();
        badState[8 + 58] = 9;
        Assert.Null(PeerUpdateBatchCodec.Decode(badState, out var error));
        Assert.Contains("state", error);
    }

    [Fact]
    public void RandomBytesNeverThrow()
    {
        var random = new Random(5);
        var buffer = new byte[PeerUpdateBatchCodec.Length(3)];
        for (var i = 0; i < 10_000; i++)
        {
            random.NextBytes(buffer);
            "STS1"u8.CopyTo(buffer);
            buffer[4] = 0;
            buffer[5] = 0;
            buffer[6] = 0;
            buffer[7] = (byte)random.Next(5);
            PeerUpdateBatchCodec.Decode(buffer.AsSpan(0, random.Next(buffer.Length + 1)), out _);
        }
    }
}
