using System.Net;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Tests.Diagnostics;

/// <summary>The family a client is counted under: an IPv4 client on a dual-stack socket is IPv4, as it is stored and answered.</summary>
public sealed class WhenCountingByAddressFamily
{
    [Theory]
    [InlineData("203.0.113.9", ClientFamily.Inet)]
    [InlineData("::ffff:203.0.113.9", ClientFamily.Inet)]
    [InlineData("::ffff:127.0.0.1", ClientFamily.Inet)]
    [InlineData("2001:db8::1", ClientFamily.Inet6)]
    [InlineData("::1", ClientFamily.Inet6)]
    [InlineData("::", ClientFamily.Inet6)]
    [InlineData("64:ff9b::cb00:7109", ClientFamily.Inet6)]
    public void BothFormsOfAnAddressAgree(string text, ClientFamily family)
    {
        var address = IPAddress.Parse(text);
        Assert.Equal(family, ClientFamilies.Of(address));
        Assert.Equal(family, ClientFamilies.Of(PeerAddress.FromIPAddress(address)));
    }
}
