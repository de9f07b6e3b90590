using System.Net;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Tests.Diagnostics;

/// <summary>The family a client is counted under: an IPv4 client on a dual-stack socket is stored and answered as IPv4,
/// and counted apart when the front door saw it mapped.</summary>
public sealed class WhenCountingByAddressFamily
{
    [Theory]
    [InlineData("203.0.113.9", ClientFamily.Inet, ClientFamily.Inet)]
    [InlineData("::ffff:203.0.113.9", ClientFamily.Ipv4Mapped, ClientFamily.Inet)]
    [InlineData("::ffff:127.0.0.1", ClientFamily.Ipv4Mapped, ClientFamily.Inet)]
    [InlineData("2001:db8::1", ClientFamily.Inet6, ClientFamily.Inet6)]
    [InlineData("::1", ClientFamily.Inet6, ClientFamily.Inet6)]
    [InlineData("::", ClientFamily.Inet6, ClientFamily.Inet6)]
    [InlineData("64:ff9b::cb00:7109", ClientFamily.Inet6, ClientFamily.Inet6)]
    public void AnAddressAsTheSocketGaveItAndAsItIsStored(string text, ClientFamily seen, ClientFamily stored)
    {
        var address = IPAddress.Parse(text);
        Assert.Equal(seen, ClientFamilies.Of(address));
        Assert.Equal(stored, ClientFamilies.Of(PeerAddress.FromIPAddress(address)));
    }

    [Theory]
    [InlineData("203.0.113.9", "::ffff:203.0.113.9", ClientFamily.Ipv4Mapped)]
    [InlineData("203.0.113.9", "203.0.113.9", ClientFamily.Inet)]
    [InlineData("198.51.100.7", "::ffff:203.0.113.9", ClientFamily.Inet)]
    [InlineData("2001:db8::1", "::ffff:203.0.113.9", ClientFamily.Inet6)]
    [InlineData("203.0.113.9", null, ClientFamily.Inet)]
    public void AClientIsMappedOnlyWhenItIsTheMappedPeerOfTheSocket(string client, string? connection, ClientFamily family)
    {
        // A trusted proxy on a dual-stack socket that names another client: that client is what it is.
        var remote = connection is null ? null : IPAddress.Parse(connection);
        Assert.Equal(family, ClientFamilies.Of(IPAddress.Parse(client), remote));
        Assert.Equal(family, ClientFamilies.Of(IPAddress.Parse(client), remote?.IsIPv4MappedToIPv6 == true, client == remote?.MapToIPv4().ToString()));
    }
}
