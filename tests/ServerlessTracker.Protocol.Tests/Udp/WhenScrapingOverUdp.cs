using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenScrapingOverUdp
{
    private static byte[] Request(int hashes, int extra = 0)
    {
        var packet = new byte[16 + (hashes * 20) + extra];
        UdpRequestHeader.Write(packet, 0x1122334455667788, UdpAction.Scrape, 0x01020304);
        for (var i = 16; i < packet.Length; i++)
        {
            packet[i] = (byte)((i - 16) / 20);
        }

        return packet;
    }

    [Fact]
    public void ReadsEveryHashInOrder()
    {
        var result = ScrapeRequestParser.Parse(Request(3), out var transactionId, out var hashes);

        Assert.True(result.IsOk);
        Assert.Equal(0x01020304u, transactionId);
        Assert.Equal(60, hashes.Length);
        Assert.Equal(0, hashes[0]);
        Assert.Equal(2, hashes[59]);
    }

    [Fact]
    public void IgnoresATrailingPartialHash()
    {
        ScrapeRequestParser.Parse(Request(2, extra: 19), out _, out var hashes);

        Assert.Equal(40, hashes.Length);
    }

    [Fact]
    public void ServesAtMostSeventyFourHashes()
    {
        ScrapeRequestParser.Parse(Request(80), out _, out var hashes);

        Assert.Equal(74 * 20, hashes.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    public void AnswersAScrapeWithoutAWholeHashWithAnError(int extra)
    {
        var result = ScrapeRequestParser.Parse(Request(0, extra), out var transactionId, out _);

        Assert.Equal(UdpParseResult.Fail(UdpRequestError.NoInfoHash), result);
        Assert.Equal(0x01020304u, transactionId);
    }

    [Fact]
    public void DropsWhatHasNoTransactionId()
    {
        Assert.Equal(UdpParseResult.Drop, ScrapeRequestParser.Parse(Request(0).AsSpan(0, 12), out _, out _));
    }

    [Fact]
    public void WritesTheRequestItReads()
    {
        var hashes = Request(2).AsSpan(16).ToArray();
        var packet = new byte[56];

        Assert.Equal(56, ScrapeRequestParser.Write(packet, 0x1122334455667788, 0x01020304, hashes));
        Assert.Equal(Request(2), packet);
    }

    [Fact]
    public void AnswersTwelveBytesPerHash()
    {
        var packet = new byte[ScrapeResponse.LengthOf(2)];
        ScrapeResponse.WriteHeader(packet, 0x01020304);
        ScrapeResponse.WriteEntry(packet, 0, seeders: 5, completed: 10, leechers: 3);
        ScrapeResponse.WriteEntry(packet, 1, seeders: 0, completed: 1L << 40, leechers: 0);

        Assert.Equal(
            "00000002" + "01020304" + "00000005" + "0000000A" + "00000003" + "00000000" + "7FFFFFFF" + "00000000",
            Convert.ToHexString(packet));
        Assert.True(ScrapeResponse.TryRead(packet, out var transactionId, out var entries));
        Assert.Equal(0x01020304u, transactionId);
        Assert.Equal((5, 10, 3), ScrapeResponse.ReadEntry(entries, 0));
    }
}
