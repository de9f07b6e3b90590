using System.Buffers.Binary;
using System.Net;

namespace ServerlessTracker.Http.Limits;

/// <summary>The budget an address draws on: IPv4 by address, IPv6 by its leading <c>prefixLength</c> bits.</summary>
public static class AddressKey
{
    /// <summary>Never an address's key (a masked IPv6 key has zero low bits, an IPv4 key is v4-mapped): requests that are not limited.</summary>
    public static readonly UInt128 Unlimited = UInt128.MaxValue;

    public static UInt128 For(IPAddress address, int prefixLength)
    {
        // Written in place (v4 as ::ffff:a.b.c.d), so choosing a budget allocates nothing.
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            bytes[..10].Clear();
            bytes[10] = 0xFF;
            bytes[11] = 0xFF;
            address.TryWriteBytes(bytes[12..], out _);
            return BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }

        address.TryWriteBytes(bytes, out _);
        var value = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        return prefixLength >= 128 || address.IsIPv4MappedToIPv6 ? value : value & ~(UInt128.MaxValue >> prefixLength);
    }
}
