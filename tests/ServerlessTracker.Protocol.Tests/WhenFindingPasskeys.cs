using System.Text;
using ServerlessTracker.Protocol;

namespace ServerlessTracker.Protocol.Tests;

public class WhenFindingPasskeys
{
    [Theory]
    [InlineData("/announce/0123abcd", "0123abcd")]
    [InlineData("/announce/0123abcd/", "0123abcd")]
    [InlineData("/scrape/0123abcd", "0123abcd")]
    [InlineData("/announce/0123abcd?info_hash=x", "0123abcd")]
    [InlineData("/announce?info_hash=x&passkey=0123abcd&port=1", "0123abcd")]
    [InlineData("/announce?passkey=0123abcd", "0123abcd")]
    [InlineData("/announce", "")]
    [InlineData("/announce/", "")]
    [InlineData("/announce?info_hash=x", "")]
    [InlineData("/other/0123abcd", "")]
    [InlineData("", "")]
    public void ThePathOrQueryGivesIt(string url, string passkey) =>
        Assert.Equal(passkey, Encoding.ASCII.GetString(PasskeyPath.Find(Encoding.ASCII.GetBytes(url))));
}
