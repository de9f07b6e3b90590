using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Storage.Schema;

namespace ServerlessTracker.Storage.Tests;

public sealed class WhenEncodingRows
{
    [Fact]
    public void APeerRoundTripsThroughItsBinaryProperty()
    {
        var peer = new PeerRecord
        {
            Id = Peers.Id(7),
            Address = PeerAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db8::1")),
            Port = 51413,
            Flags = PeerFlags.HasKey | PeerFlags.CountedComplete,
            Key = 0xdeadbeef,
            Uploaded = long.MaxValue,
            Downloaded = 12345,
        };

        var bytes = PeerRowCodec.Encode(peer);
        var decoded = new PeerRecord { Id = peer.Id };

        Assert.Equal(PeerRowCodec.Length, bytes.Length);
        Assert.True(PeerRowCodec.TryDecode(bytes, ref decoded));
        Assert.Equal(peer, decoded);
        Assert.False(PeerRowCodec.TryDecode([2, .. bytes[1..]], ref decoded));
    }

    [Fact]
    public void APeerOfAPasskeyCarriesItsTagInVersionTwo()
    {
        var peer = new PeerRecord { Id = Peers.Id(8), Address = Peers.Address(8), Port = 6881, Uploaded = 5, Owner = 0xfeedf00d };
        var open = PeerRowCodec.Encode(peer with { Owner = 0 });
        var owned = PeerRowCodec.Encode(peer);
        var decoded = new PeerRecord { Id = peer.Id };

        Assert.Equal((1, PeerRowCodec.Length), (open[0], open.Length));
        Assert.Equal((2, PeerRowCodec.OwnedLength), (owned[0], owned.Length));
        Assert.True(PeerRowCodec.TryDecode(owned, ref decoded));
        Assert.Equal(peer, decoded);
        Assert.True(PeerRowCodec.TryDecode(open, ref decoded));
        Assert.Equal(0u, decoded.Owner);
        Assert.False(PeerRowCodec.TryDecode(owned.AsSpan()[..PeerRowCodec.Length], ref decoded));
    }

    [Fact]
    public void PeerRowKeysAreHexAndRoundTrip()
    {
        var id = PeerId.FromBytes([0x00, 0xff, (byte)'\'', (byte)'/', (byte)'#', (byte)'?', 0x7f, 0x80, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);

        var key = SwarmRows.PeerRowKey(id);

        Assert.Equal(SwarmRows.PeerRowKeyLength, key.Length);
        Assert.Matches("^p[0-9a-f]{44}$", key);
        Assert.EndsWith(id.ToHex(), key);
        Assert.True(SwarmRows.TryParsePeerRowKey(key, out var parsed));
        Assert.Equal(id, parsed);
    }

    [Fact]
    public void PeersOfOneClientSpreadOverTheKeyRange()
    {
        var buckets = new HashSet<char>();
        for (var n = 0; n < 200; n++)
        {
            buckets.Add(SwarmRows.PeerRowKey(Peers.Id(n))[1]);
        }

        Assert.Equal(16, buckets.Count);
    }

    [Fact]
    public void AWriteIsDueForPurgeWhenItsBucketHasExpired()
    {
        Assert.Equal(600 + 2700, IndexRows.DueAfterWrite(300, 300, 2700));
        Assert.Equal(600 + 2700, IndexRows.DueAfterWrite(599, 300, 2700));
        var key = IndexRows.DueRowKey(3300, new string('a', 40));
        Assert.True(IndexRows.TryParseDueRowKey(key, out var due, out _));
        Assert.Equal(3300, due);
        Assert.True(string.CompareOrdinal(key, IndexRows.DueBound(3301)) < 0);
        Assert.True(string.CompareOrdinal(key, IndexRows.DueBound(3300)) >= 0);
    }
}
