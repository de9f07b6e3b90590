using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenFeedingRandomBytesToUdpParsers
{
    [Fact]
    public void NoParserThrowsAndEveryResultIsOneOfTheThree()
    {
        var random = new Random(20240601);
        var urlData = new byte[300];
        for (var i = 0; i < 20_000; i++)
        {
            var packet = new byte[random.Next(0, 400)];
            random.NextBytes(packet);
            if (packet.Length >= 12 && random.Next(2) == 0)
            {
                packet[8] = packet[9] = packet[10] = 0;
                packet[11] = (byte)random.Next(4);
            }

            var results = new[]
            {
                ConnectRequest.Parse(packet, out _),
                AnnounceRequestParser.Parse(packet, urlData, out _),
                ScrapeRequestParser.Parse(packet, out _, out _),
            };
            UdpRequestHeader.TryRead(packet, out _);
            foreach (var result in results)
            {
                Assert.True(Enum.IsDefined(result.Outcome));
                Assert.Equal(result.Outcome == UdpParseOutcome.Error, result.Error != UdpRequestError.None);
            }
        }
    }
}
