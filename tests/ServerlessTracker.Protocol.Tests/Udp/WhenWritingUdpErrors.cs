using System.Text;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenWritingUdpErrors
{
    [Fact]
    public void WritesActionThreeTheTransactionIdAndTheText()
    {
        var packet = new byte[64];

        var length = ErrorResponse.Write(packet, 0xA1B2C3D4, UdpRequestError.BadConnectionId);

        Assert.Equal(8 + 17, length);
        Assert.Equal("00000003" + "A1B2C3D4" + Convert.ToHexString("bad connection id"u8), Convert.ToHexString(packet, 0, length));
        Assert.True(ErrorResponse.TryRead(packet.AsSpan(0, length), out var transactionId, out var message));
        Assert.Equal(0xA1B2C3D4u, transactionId);
        Assert.Equal("bad connection id", Encoding.ASCII.GetString(message));
    }

    [Fact]
    public void KeepsEveryMessageShortEnoughNeverToOutgrowAOneHashScrape()
    {
        foreach (var error in Enum.GetValues<UdpRequestError>())
        {
            Assert.InRange(UdpRequestErrors.Message(error).Length, 1, UdpRequestErrors.MaxMessageLength);
            Assert.True(ErrorResponse.LengthOf(error) <= 16 + 20, error.ToString());
        }
    }
}
