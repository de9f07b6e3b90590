using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenWritingUdpAnnounceResponse
{
    [Fact]
    public void WritesSixBytePeersForIPv4()
    {
        var peers = Convert.FromHexString("7F0000011AE1" + "0A0000021AE2");
        var packet = new byte[64];

        var length = AnnounceResponse.Write(packet, 0x0A0B0C0D, 1800, leechers: 3, seeders: 2, peers);

        Assert.Equal(32, length);
        Assert.Equal(
            "00000001" + "0A0B0C0D" + "00000708" + "00000003" + "00000002" + "7F0000011AE1" + "0A0000021AE2",
            Convert.ToHexString(packet, 0, length));
    }

    [Fact]
    public void WritesEighteenBytePeersForIPv6()
    {
        var peers = Convert.FromHexString("00000000000000000000000000000001" + "1AE1");
        var packet = new byte[64];

        var length = AnnounceResponse.Write(packet, 7, 900, 1, 0, peers);

        Assert.Equal(38, length);
        Assert.Equal("00000001" + "00000007" + "00000384" + "00000001" + "00000000" + "00000000000000000000000000000001" + "1AE1", Convert.ToHexString(packet, 0, length));
    }

    [Fact]
    public void ClampsCountsToThirtyOneBits()
    {
        var packet = new byte[20];

        AnnounceResponse.Write(packet, 1, 60, long.MaxValue, -5, default);

        Assert.True(AnnounceResponse.TryRead(packet, out _, out _, out var leechers, out var seeders, out var peers));
        Assert.Equal(int.MaxValue, leechers);
        Assert.Equal(0, seeders);
        Assert.True(peers.IsEmpty);
    }

    [Fact]
    public void ReadsBackWhatItWrote()
    {
        var packet = new byte[26];
        AnnounceResponse.Write(packet, 42, 1700, 5, 6, Convert.FromHexString("010203041AE1"));

        Assert.True(AnnounceResponse.TryRead(packet, out var transactionId, out var interval, out var leechers, out var seeders, out var peers));
        Assert.Equal((42u, 1700, 5, 6), (transactionId, interval, leechers, seeders));
        Assert.Equal("010203041AE1", Convert.ToHexString(peers));
        Assert.False(AnnounceResponse.TryRead(packet.AsSpan(0, 19), out _, out _, out _, out _, out _));
    }
}
