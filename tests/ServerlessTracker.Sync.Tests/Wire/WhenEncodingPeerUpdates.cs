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
        (ushort)(50000 + n), state, n % 3 == 0, 1_800_000_000_123 + n, long.MaxValue - n, n, n % 2 == 0 ? 0xC0FFEE00u + (uint)n : 0, n % 2 == 0);

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
        Assert.Equal("STS2"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, bytes[4..8]);
        Assert.Equal(1, bytes[8 + 58]);
    }

    [Fact]
    public void AChangeIsLaidOutAsDocumented()
    {
        var update = new PeerUpdate(
            InfoHash.FromBytes(Enumerable.Range(0, 20).Select(i => (byte)i).ToArray()),
            PeerId.FromBytes("-qB4650-abcdefghijkl"u8),
            PeerAddress.FromIPAddress(IPAddress.Parse("203.0.113.7")),
            6881, ReplicatedPeerState.Seeder, true, 0x0102030405060708, 0x1000, 0x2000, 0xCAFEBABE, true);

        var change = Convert.ToHexString(PeerUpdateBatchCodec.Encode([update]).AsSpan(PeerUpdateBatchCodec.HeaderLength));

        Assert.Equal(
            "000102030405060708090A0B0C0D0E0F10111213" + // info-hash
            "2D7142343635302D6162636465666768696A6B6C" + // peer id
            "00000000000000000000FFFFCB007107" + // address
            "1AE1" + // port
            "01" + // state: seeder
            "03" + // flags: completed, has key
            "0102030405060708" + // announce ms
            "0000000000001000" + // uploaded (session counter)
            "0000000000002000" + // downloaded (session counter)
            "CAFEBABE", // key
            change);
    }

    [Fact]
    public void TheKeyAndTheSessionCountersTravel()
    {
        var keyed = Sample(2, ReplicatedPeerState.Leecher) with { Key = 0xDEADBEEF, HasKey = true, Uploaded = 123_456, Downloaded = 7 };
        var keyless = Sample(3, ReplicatedPeerState.Stopped) with { Key = 0, HasKey = false, Uploaded = 99, Downloaded = 1 };

        var decoded = PeerUpdateBatchCodec.Decode(PeerUpdateBatchCodec.Encode([keyed, keyless]), out _)!;

        Assert.Equal((0xDEADBEEFu, true, 123_456L, 7L), (decoded[0].Key, decoded[0].HasKey, decoded[0].Uploaded, decoded[0].Downloaded));
        Assert.Equal((0u, false, 99L, 1L), (decoded[1].Key, decoded[1].HasKey, decoded[1].Uploaded, decoded[1].Downloaded));
    }

    [Fact]
    public void AFormat1BatchIsRefusedWithItsOwnReason()
    {
        // STS1: 84 bytes per change, no key, deltas instead of session counters.
        var format1 = new byte[8 + 84];
        "STS1"u8.CopyTo(format1);
        format1[7] = 1;

        Assert.Null(PeerUpdateBatchCodec.Decode(format1, out var error));
        Assert.Equal(PeerUpdateBatchCodec.Format1Refused, error);
    }

    [Fact]
    public void ANegativeSessionCounterRefusesTheBatch()
    {
        var bytes = PeerUpdateBatchCodec.Encode([Sample(2, ReplicatedPeerState.Leecher)]);
        bytes.AsSpan(8 + 76, 8).Fill(0xFF);

        Assert.Null(PeerUpdateBatchCodec.Decode(bytes, out var error));
        Assert.Contains("negative", error);
    }

    [Fact]
    public void MalformedBatchesAreRefused()
    {
        var good = PeerUpdateBatchCodec.Encode([Sample(1, ReplicatedPeerState.Leecher), Sample(2, ReplicatedPeerState.Seeder)]);
        Assert.Null(PeerUpdateBatchCodec.Decode(good.AsSpan()[..^1], out _));
        Assert.Null(PeerUpdateBatchCodec.Decode([.. good, 0], out _));
        Assert.Null(PeerUpdateBatchCodec.Decode(good.AsSpan()[..7], out _));

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
            "STS2"u8.CopyTo(buffer);
            buffer[4] = 0;
            buffer[5] = 0;
            buffer[6] = 0;
            buffer[7] = (byte)random.Next(5);
            PeerUpdateBatchCodec.Decode(buffer.AsSpan(0, random.Next(buffer.Length + 1)), out _);
        }
    }
}
