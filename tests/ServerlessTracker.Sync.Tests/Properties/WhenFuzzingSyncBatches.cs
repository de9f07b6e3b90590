using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Tests.Properties;

/// <summary>The sync batch codec: every batch round-trips, any other bytes are refused as a value.</summary>
public class WhenFuzzingSyncBatches
{
    private static Gen<byte> Byte => Gen.Choose(0, 255).Select(b => (byte)b);

    private static Gen<byte[]> Bytes(int count) => Gen.ArrayOf(Byte, count);

    private static Gen<long> Long => Gen.Choose(int.MinValue, int.MaxValue).Zip(Gen.Choose(int.MinValue, int.MaxValue), (a, b) => ((long)a << 32) | (uint)b);

    private static Gen<PeerUpdate> Updates() =>
        from hash in Bytes(20)
        from id in Bytes(20)
        from address in Gen.OneOf(Bytes(4), Bytes(16))
        from port in Gen.Choose(0, 65535)
        from state in Gen.Choose(0, 2)
        from completed in Gen.Elements(true, false)
        from at in Long
        from up in Long
        from down in Long
        from hasKey in Gen.Elements(true, false)
        from key in Gen.Choose(int.MinValue, int.MaxValue)
        select new PeerUpdate(InfoHash.FromBytes(hash), PeerId.FromBytes(id), PeerAddress.FromBytes(address), (ushort)port,
            (ReplicatedPeerState)state, completed, at, up & long.MaxValue, down & long.MaxValue, hasKey ? (uint)key : 0, hasKey);

    [Property(MaxTest = 500)]
    public Property AnyBatchRoundTrips() =>
        Prop.ForAll(Gen.Choose(0, 40).SelectMany(n => Gen.ArrayOf(Updates(), n)).ToArbitrary(), updates =>
        {
            var decoded = PeerUpdateBatchCodec.Decode(PeerUpdateBatchCodec.Encode(updates), out var error);
            return error is null && decoded is not null && decoded.SequenceEqual(updates);
        });

    [Property(MaxTest = 3000)]
    public Property AnyBytesDecodeToABatchOrAReason() =>
        Prop.ForAll(Gen.OneOf(Gen.Choose(0, 400).SelectMany(Bytes), Mutated()).ToArbitrary(), bytes =>
        {
            var decoded = PeerUpdateBatchCodec.Decode(bytes, out var error);
            return decoded is null
                ? error is not null
                : error is null && bytes.Length == PeerUpdateBatchCodec.Length(decoded.Length) && PeerUpdateBatchCodec.Encode(decoded).Length == bytes.Length;
        });

    [Fact]
    public void AHeaderClaimingMoreChangesThanItCarriesAllocatesNothingAndIsRefused()
    {
        var lying = new byte[PeerUpdateBatchCodec.HeaderLength + PeerUpdateBatchCodec.ChangeLength];
        "STS2"u8.CopyTo(lying);
        lying[4] = 0xFF;
        lying[5] = 0xFF;
        lying[6] = 0xFF;
        lying[7] = 0xFF;
        Assert.Null(PeerUpdateBatchCodec.Decode(lying, out var error));
        Assert.Equal("change count does not match the length", error);
    }

    /// <summary>Valid batches with bytes changed, cut or appended: the shapes a broken or hostile sender produces.</summary>
    private static Gen<byte[]> Mutated() =>
        from updates in Gen.Choose(0, 5).SelectMany(n => Gen.ArrayOf(Updates(), n))
        from at in Gen.Choose(0, int.MaxValue)
        from what in Byte
        from how in Gen.Choose(0, 3)
        select Mutate(PeerUpdateBatchCodec.Encode(updates), at, what, how);

    private static byte[] Mutate(byte[] batch, int where, byte what, int how)
    {
        var at = where % (batch.Length + 1);
        return how switch
        {
            0 when at < batch.Length => batch.Select((b, i) => i == at ? what : b).ToArray(),
            1 => batch[..at],
            2 => [.. batch, what],
            _ => batch.Length > 58 ? batch.Select((b, i) => i == 8 + 58 ? what : b).ToArray() : batch,
        };
    }
}
