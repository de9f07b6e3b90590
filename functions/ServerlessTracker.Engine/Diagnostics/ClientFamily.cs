using System.Net;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Diagnostics;

/// <summary>The address family a request's client is counted under (the <c>family</c> tag of the tracker's counters).</summary>
/// <remarks>An IPv4 client seen on a dual-stack socket (an IPv4-mapped IPv6 address) is IPv4: it is stored, answered and
/// counted as <see cref="Inet"/>, as it would be on an IPv4 socket.</remarks>
public enum ClientFamily : byte
{
    /// <summary>IPv4, including IPv4-mapped IPv6 addresses.</summary>
    Inet,

    /// <summary>IPv6.</summary>
    Inet6,
}

/// <summary>Which <see cref="ClientFamily"/> an address is counted under.</summary>
public static class ClientFamilies
{
    public static ClientFamily Of(PeerAddress address) => address.IsIPv4 ? ClientFamily.Inet : ClientFamily.Inet6;

    public static ClientFamily Of(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6 ? ClientFamily.Inet : ClientFamily.Inet6;
}
