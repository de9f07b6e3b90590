using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Diagnostics;

/// <summary>The address family a request's client is counted under (the <c>family</c> tag of the tracker's counters).</summary>
/// <remarks>An IPv4 client seen on a dual-stack socket (an IPv4-mapped IPv6 address) is stored and answered as IPv4, but
/// counted apart (<see cref="Ipv4Mapped"/>): an operator sees how many IPv4 clients reach a dual-stack listener.</remarks>
public enum ClientFamily : byte
{
    /// <summary>IPv4 on an IPv4 socket (or named by a trusted proxy).</summary>
    Inet,

    /// <summary>IPv6.</summary>
    Inet6,

    /// <summary>IPv4, seen as an IPv4-mapped IPv6 address on a dual-stack socket.</summary>
    Ipv4Mapped,
}

/// <summary>Which <see cref="ClientFamily"/> a client is counted under.</summary>
public static class ClientFamilies
{
    public static ClientFamily Of(PeerAddress address) => address.IsIPv4 ? ClientFamily.Inet : ClientFamily.Inet6;

    /// <summary>The family of an address as a socket or a proxy gave it: IPv4-mapped IPv6 is <see cref="ClientFamily.Ipv4Mapped"/>.</summary>
    public static ClientFamily Of(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetwork ? ClientFamily.Inet
        : address.IsIPv4MappedToIPv6 ? ClientFamily.Ipv4Mapped
        : ClientFamily.Inet6;

    /// <summary>The family of <paramref name="client"/> (as the rules see it: IPv4-mapped already IPv4) that reached a
    /// socket whose peer was <paramref name="connection"/> as the socket gave it: mapped when the client is that peer.</summary>
    public static ClientFamily Of(IPAddress client, IPAddress? connection)
    {
        if (connection is null || !connection.IsIPv4MappedToIPv6 || client.AddressFamily != AddressFamily.InterNetwork)
        {
            return Of(client);
        }

        Span<byte> mapped = stackalloc byte[16];
        Span<byte> plain = stackalloc byte[4];
        return connection.TryWriteBytes(mapped, out _) && client.TryWriteBytes(plain, out _) && mapped[12..].SequenceEqual(plain)
            ? ClientFamily.Ipv4Mapped
            : ClientFamily.Inet;
    }

    /// <summary>As <see cref="Of(IPAddress, IPAddress)"/> when the caller knows already whether the socket's peer was mapped.</summary>
    public static ClientFamily Of(IPAddress client, bool connectionMapped, bool clientIsConnection) =>
        connectionMapped && clientIsConnection && client.AddressFamily == AddressFamily.InterNetwork ? ClientFamily.Ipv4Mapped : Of(client);
}
