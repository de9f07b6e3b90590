using System.Text;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenParsingUdpAnnounce
{
    // An announce as BEP 15 lays it out, field by field.
    private const string GoldenHex =
        "1122334455667788" + // connection_id
        "00000001" + // action: announce
        "0A0B0C0D" + // transaction_id
        "000102030405060708090A0B0C0D0E0F10111213" + // info_hash
        "2D7142343635302D6162636465666768696A6B6C" + // peer_id "-qB4650-abcdefghijkl"
        "0000000000001000" + // downloaded 4096
        "0000000100000000" + // left 2^32
        "0000000000000200" + // uploaded 512
        "00000002" + // event: started
        "7F000001" + // ip 127.0.0.1
        "CAFEBABE" + // key
        "00000032" + // num_want 50
        "1AE1"; // port 6881

    private static byte[] Golden => Convert.FromHexString(GoldenHex);

    [Fact]
    public void ReadsEveryField()
    {
        var result = AnnounceRequestParser.Parse(Golden, new byte[64], out var request);

        Assert.Equal(UdpParseResult.Ok, result);
        Assert.Equal(0x1122334455667788UL, request.ConnectionId);
        Assert.Equal(0x0A0B0C0Du, request.TransactionId);
        Assert.Equal(Convert.FromHexString("000102030405060708090A0B0C0D0E0F10111213"), ((ReadOnlySpan<byte>)request.InfoHash).ToArray());
        Assert.Equal("-qB4650-abcdefghijkl", Encoding.ASCII.GetString(request.PeerId));
        Assert.Equal(4096, request.Downloaded);
        Assert.Equal(1L << 32, request.Left);
        Assert.Equal(512, request.Uploaded);
        Assert.Equal(AnnounceEvent.Started, request.Event);
        Assert.Equal(0x7F000001u, request.ClaimedIPv4);
        Assert.Equal(0xCAFEBABEu, request.Key);
        Assert.Equal(50, request.NumWant);
        Assert.Equal(6881, request.Port);
        Assert.Equal(0, request.UrlDataLength);
    }

    [Fact]
    public void WritesTheSameBytesItReads()
    {
        AnnounceRequestParser.Parse(Golden, new byte[64], out var request);
        var written = new byte[AnnounceRequest.Length];

        Assert.Equal(98, request.Write(written));
        Assert.Equal(GoldenHex, Convert.ToHexString(written));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-2)]
    [InlineData(int.MinValue)]
    public void TakesAnyNegativeNumWantAsTheDefault(int numWant)
    {
        var packet = Golden;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(92), numWant);

        AnnounceRequestParser.Parse(packet, new byte[64], out var request);

        Assert.Equal(AnnounceRequest.DefaultNumWant, request.NumWant);
    }

    [Fact]
    public void KeepsANegativeLeftAsSent()
    {
        // Some clients without a torrent's metadata send left = -1: a leecher of unknown size, no accounting depends on it.
        var packet = Golden;
        packet.AsSpan(64, 8).Fill(0xFF);

        Assert.True(AnnounceRequestParser.Parse(packet, new byte[64], out var request).IsOk);
        Assert.Equal(-1, request.Left);
    }

    [Theory]
    [InlineData(56, -1L)]
    [InlineData(72, -1L)]
    [InlineData(56, long.MinValue)]
    [InlineData(72, long.MinValue)]
    public void RefusesANegativeUploadedOrDownloaded(int offset, long value)
    {
        // int64 on the wire: a negative value is no byte count (an unsigned counter past 2^63 reads as one); it is refused,
        // never taken as zero, which would look like a restarted session and credit the next announce's whole counter again.
        var packet = Golden;
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(offset), value);

        var result = AnnounceRequestParser.Parse(packet, new byte[64], out var request);

        Assert.Equal(UdpParseResult.Fail(UdpRequestError.InvalidCounter), result);
        Assert.Equal(0x0A0B0C0Du, request.TransactionId);
    }

    [Theory]
    [InlineData(4u)]
    [InlineData(0xFFFFFFFFu)]
    public void RefusesAnUnknownEvent(uint value)
    {
        var packet = Golden;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(80), value);

        var result = AnnounceRequestParser.Parse(packet, new byte[64], out var request);

        Assert.Equal(UdpParseResult.Fail(UdpRequestError.InvalidEvent), result);
        Assert.Equal(0x0A0B0C0Du, request.TransactionId);
    }

    [Fact]
    public void RefusesPortZero()
    {
        var packet = Golden;
        packet[96] = packet[97] = 0;

        Assert.Equal(UdpParseResult.Fail(UdpRequestError.InvalidPort), AnnounceRequestParser.Parse(packet, new byte[64], out _));
    }

    [Theory]
    [InlineData(16)]
    [InlineData(36)]
    [InlineData(97)]
    public void AnswersATruncatedAnnounceWithAnError(int length)
    {
        var result = AnnounceRequestParser.Parse(Golden.AsSpan(0, length), new byte[64], out var request);

        Assert.Equal(UdpParseResult.Fail(UdpRequestError.TooShort), result);
        Assert.Equal(0x0A0B0C0Du, request.TransactionId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void DropsWhatHasNoTransactionId(int length)
    {
        Assert.Equal(UdpParseResult.Drop, AnnounceRequestParser.Parse(Golden.AsSpan(0, length), new byte[64], out _));
    }

    [Fact]
    public void ReturnsTheUrlDataOfBep41Options()
    {
        var packet = Convert.FromHexString(GoldenHex + "0209" + Convert.ToHexString("/announce"u8) + "01" + "020A" + Convert.ToHexString("?passkey=x"u8) + "00" + "FFFF");
        var urlData = new byte[64];

        var result = AnnounceRequestParser.Parse(packet, urlData, out var request);

        Assert.True(result.IsOk);
        Assert.Equal("/announce?passkey=x", Encoding.ASCII.GetString(urlData, 0, request.UrlDataLength));
    }

    [Fact]
    public void RefusesUrlDataLongerThanTheCallersBuffer()
    {
        var packet = Convert.FromHexString(GoldenHex + "0209" + Convert.ToHexString("/announce"u8));

        Assert.Equal(UdpParseResult.Fail(UdpRequestError.UrlDataTooLong), AnnounceRequestParser.Parse(packet, new byte[8], out _));
    }

    [Fact]
    public void ToleratesTrailingGarbage()
    {
        var packet = Convert.FromHexString(GoldenHex + "0703ABCDEF" + "02");

        Assert.True(AnnounceRequestParser.Parse(packet, new byte[64], out var request).IsOk);
        Assert.Equal(0, request.UrlDataLength);
    }
}
