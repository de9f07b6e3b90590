using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.Http.Network;

/// <summary>Which addresses a client may claim with <c>ip=</c>/<c>ipv4=</c>/<c>ipv6=</c> when the operator honours claims
/// (<c>Tracker:Http:AllowClaimedAddress</c>): public unicast ones only.</summary>
/// <remarks>A claim is how a client aims other peers at an address of its choice (BEP 7 warns of it). Loopback, private,
/// shared (CGNAT), link-local, unspecified, multicast and reserved addresses would aim them at the peers' own machines and
/// networks, or at the tracker's: those claims are ignored and the connection's address is recorded instead.</remarks>
public static class ClaimedAddresses
{
    public static bool IsAcceptable(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        if (address.AddressFamily == AddressFamily.InterNetwork && length == 4)
        {
            var (a, b) = (bytes[0], bytes[1]);
            return !(a == 0 || a == 10 || a == 127 || a >= 224
                || (a == 100 && b >= 64 && b < 128)
                || (a == 169 && b == 254)
                || (a == 172 && b >= 16 && b < 32)
                || (a == 192 && b == 168));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || length != 16)
        {
            return false;
        }

        return !(IPAddress.IPv6Loopback.Equals(address) || IPAddress.IPv6Any.Equals(address)
            || bytes[0] == 0xFF
            || (bytes[0] & 0xFE) == 0xFC
            || (bytes[0] == 0xFE && (bytes[1] & 0xC0) is 0x80 or 0xC0)
            || address.IsIPv4MappedToIPv6);
    }
}
