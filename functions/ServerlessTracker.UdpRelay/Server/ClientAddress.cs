using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.UdpRelay.Server;

/// <summary>Reads the sender of a datagram out of a reused <see cref="SocketAddress"/> without allocating.</summary>
/// <remarks>
/// sockaddr_in: port at bytes 2-3 (big-endian), IPv4 address at 4-7. sockaddr_in6: port at 2-3, address
/// at 8-23. The offsets are the same on Linux, Windows and macOS (only the family field differs, and
/// <see cref="SocketAddress.Family"/> reads that portably).
/// </remarks>
internal static class ClientAddress
{
    /// <summary>Writes the 16-byte canonical address (IPv4 as ::ffff:a.b.c.d) and returns the port; false for another family.</summary>
    public static bool TryRead(SocketAddress address, Span<byte> address16, out ushort port)
    {
        var raw = address.Buffer.Span[..address.Size];
        port = 0;
        switch (address.Family)
        {
            case AddressFamily.InterNetwork when raw.Length >= 8:
                address16[..10].Clear();
                address16[10] = 0xFF;
                address16[11] = 0xFF;
                raw.Slice(4, 4).CopyTo(address16[12..]);
                break;
            case AddressFamily.InterNetworkV6 when raw.Length >= 24:
                raw.Slice(8, 16).CopyTo(address16);
                break;
            default:
                return false;
        }

        port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
        return true;
    }
}
