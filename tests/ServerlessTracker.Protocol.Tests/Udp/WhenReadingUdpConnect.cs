using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenReadingUdpConnect
{
    private static readonly byte[] Golden = Convert.FromHexString("0000041727101980" + "00000000" + "DEADBEEF");

    [Fact]
    public void AcceptsTheMagicNumberAndReturnsTheTransactionId()
    {
        var result = ConnectRequest.Parse(Golden, out var transactionId);

        Assert.Equal(UdpParseResult.Ok, result);
        Assert.Equal(0xDEADBEEFu, transactionId);
    }

    [Fact]
    public void WritesTheSameBytesItReads()
    {
        var packet = new byte[16];

        Assert.Equal(16, ConnectRequest.Write(packet, 0xDEADBEEF));
        Assert.Equal(Golden, packet);
    }

    [Fact]
    public void ToleratesTrailingBytes()
    {
        var longer = Golden.Concat(new byte[50]).ToArray();

        Assert.True(ConnectRequest.Parse(longer, out var transactionId).IsOk);
        Assert.Equal(0xDEADBEEFu, transactionId);
    }

    [Theory]
    [InlineData("0000041727101981" + "00000000" + "DEADBEEF")] // wrong magic
    [InlineData("0000041727101980" + "00000001" + "DEADBEEF")] // announce action with the magic
    [InlineData("0000041727101980" + "00000000" + "DEADBE")] // 15 bytes
    [InlineData("")]
    public void DropsAnythingElseSilently(string hex)
    {
        var result = ConnectRequest.Parse(Convert.FromHexString(hex), out _);

        Assert.Equal(UdpParseOutcome.Drop, result.Outcome);
    }

    [Fact]
    public void AnswersWithSixteenBytes()
    {
        var packet = new byte[16];

        var length = ConnectResponse.Write(packet, 0xDEADBEEF, 0x0102030405060708);

        Assert.Equal(16, length);
        Assert.Equal("00000000" + "DEADBEEF" + "0102030405060708", Convert.ToHexString(packet));
        Assert.True(ConnectResponse.TryRead(packet, out var transactionId, out var connectionId));
        Assert.Equal(0xDEADBEEFu, transactionId);
        Assert.Equal(0x0102030405060708UL, connectionId);
    }

    [Fact]
    public void ReadsTheHeaderOfAnyRequest()
    {
        Assert.True(UdpRequestHeader.TryRead(Golden, out var header));
        Assert.Equal(new UdpRequestHeader(UdpRequestHeader.ProtocolId, 0, 0xDEADBEEF), header);
        Assert.False(UdpRequestHeader.TryRead(Golden.AsSpan(0, 15), out _));
    }
}
