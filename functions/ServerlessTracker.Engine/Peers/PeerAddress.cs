using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.Engine.Peers;

/// <summary>A peer's IP address in 16 bytes: IPv6 as is, IPv4 as an IPv4-mapped IPv6 address (::ffff:a.b.c.d).</summary>
public readonly struct PeerAddress : IEquatable<PeerAddress>
{
    private const ulong MappedPrefixLow = 0x0000_FFFF_0000_0000UL;

    private readonly ulong _high;
    private readonly ulong _low;

    private PeerAddress(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    public bool IsIPv4 => _high == 0 && (_low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefixLow;

    /// <summary>4 bytes for IPv4, 16 for IPv6.</summary>
    public int CompactLength => IsIPv4 ? 4 : 16;

    /// <summary>From 4 (IPv4) or 16 (IPv6; IPv4-mapped is read as IPv4) network-order bytes.</summary>
    public static PeerAddress FromBytes(ReadOnlySpan<byte> bytes) => bytes.Length switch
    {
        4 => new PeerAddress(0, MappedPrefixLow | BinaryPrimitives.ReadUInt32BigEndian(bytes)),
        16 => new PeerAddress(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..])),
        _ => throw new ArgumentException("An address is 4 or 16 bytes.", nameof(bytes)),
    };

    public static PeerAddress FromIPAddress(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return FromBytes(bytes[..written]);
    }

    /// <summary>Writes 4 bytes for IPv4 or 16 for IPv6; returns the count.</summary>
    public int WriteCompact(Span<byte> destination)
    {
        if (IsIPv4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)_low);
            return 4;
        }

        Write16(destination);
        return 16;
    }

    /// <summary>Writes all 16 bytes (IPv4 in mapped form).</summary>
    public void Write16(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        return new IPAddress(bytes[..WriteCompact(bytes)]);
    }

    public AddressFamily Family => IsIPv4 ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;

    public override string ToString() => ToIPAddress().ToString();

    public bool Equals(PeerAddress other) => _high == other._high && _low == other._low;

    public override bool Equals(object? obj) => obj is PeerAddress other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_high, _low);

    public static bool operator ==(PeerAddress left, PeerAddress right) => left.Equals(right);

    public static bool operator !=(PeerAddress left, PeerAddress right) => !left.Equals(right);
}
