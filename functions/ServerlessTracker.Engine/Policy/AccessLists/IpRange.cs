using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>An address or CIDR range in the 128-bit space of <see cref="PeerAddress"/> (IPv4 as IPv4-mapped IPv6, so an IPv4 /24 is a /120).</summary>
/// <remarks>Held masked: two addresses are in the same range of a prefix length exactly when their masked values are equal,
/// which makes a lookup one dictionary probe per prefix length in use.</remarks>
public readonly record struct IpRange(ulong High, ulong Low, byte Prefix)
{
    /// <summary>Reads <c>198.51.100.7</c>, <c>198.51.100.0/24</c>, <c>2001:db8::1</c> or <c>2001:db8::/32</c>; <paramref name="canonical"/> is the range as written back.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out IpRange range, out string canonical)
    {
        range = default;
        canonical = "";
        text = text.Trim();
        IPAddress? address;
        int prefix;
        var slash = text.IndexOf('/');
        if (slash < 0)
        {
            if (!IPAddress.TryParse(text, out address))
            {
                return false;
            }

            prefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        }
        else if (!IPAddress.TryParse(text[..slash], out address) || !int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, null, out prefix))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        var v4 = address.AddressFamily == AddressFamily.InterNetwork;
        var max = v4 ? 32 : 128;
        if ((!v4 && address.ScopeId != 0) || prefix < 0 || prefix > max)
        {
            return false;
        }

        range = Of(PeerAddress.FromIPAddress(address), v4 ? prefix + 96 : prefix);
        var network = range.Network.ToIPAddress();
        canonical = prefix == max ? network.ToString() : $"{network}/{prefix}";
        return true;
    }

    /// <summary>The range of the given prefix length (0–128, mapped space) holding <paramref name="address"/>.</summary>
    public static IpRange Of(PeerAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.Write16(bytes);
        return Of(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]), prefix);
    }

    internal static IpRange Of(ulong high, ulong low, int prefix)
    {
        var highMask = prefix >= 64 ? ulong.MaxValue : prefix == 0 ? 0 : ulong.MaxValue << (64 - prefix);
        var lowMask = prefix <= 64 ? 0 : prefix >= 128 ? ulong.MaxValue : ulong.MaxValue << (128 - prefix);
        return new IpRange(high & highMask, low & lowMask, (byte)prefix);
    }

    /// <summary>The first address of the range.</summary>
    public PeerAddress Network
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
            return PeerAddress.FromBytes(bytes);
        }
    }
}
