using System.Buffers.Binary;
using System.Globalization;

namespace ServerlessTracker.Engine;

/// <summary>A torrent's 20-byte info-hash (v1, or a v2 hash truncated to 20 bytes as BEP 52 hybrids announce).</summary>
/// <remarks>Held as big-endian integers, so ordering the values orders the raw bytes, as bencode wants.</remarks>
public readonly struct InfoHash : IEquatable<InfoHash>, IComparable<InfoHash>
{
    public const int Length = 20;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    private InfoHash(ulong a, ulong b, uint c)
    {
        _a = a;
        _b = b;
        _c = c;
    }

    public static InfoHash FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException("An info-hash is 20 bytes.", nameof(bytes));
        }

        return new InfoHash(
            BinaryPrimitives.ReadUInt64BigEndian(bytes),
            BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]));
    }

    /// <summary>Parses 40 hex digits (either case).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> hex, out InfoHash hash)
    {
        hash = default;
        Span<byte> bytes = stackalloc byte[Length];
        if (hex.Length != Length * 2 || Convert.FromHexString(hex, bytes, out _, out var written) != System.Buffers.OperationStatus.Done || written != Length)
        {
            return false;
        }

        hash = FromBytes(bytes);
        return true;
    }

    public static InfoHash ParseHex(string hex) =>
        TryParseHex(hex, out var hash) ? hash : throw new FormatException("An info-hash is 40 hex digits.");

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _a);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _c);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Lowercase hex: the Table Storage partition key and the text form in logs and APIs.</summary>
    public string ToHex() => string.Create(Length * 2, this, static (chars, hash) =>
    {
        hash._a.TryFormat(chars, out _, "x16", CultureInfo.InvariantCulture);
        hash._b.TryFormat(chars[16..], out _, "x16", CultureInfo.InvariantCulture);
        hash._c.TryFormat(chars[32..], out _, "x8", CultureInfo.InvariantCulture);
    });

    public override string ToString() => ToHex();

    public bool Equals(InfoHash other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is InfoHash other && Equals(other);

    // HashCode is seeded per process, so clients cannot choose hashes that collide in our tables.
    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    public int CompareTo(InfoHash other)
    {
        var order = _a.CompareTo(other._a);
        if (order == 0)
        {
            order = _b.CompareTo(other._b);
        }

        return order == 0 ? _c.CompareTo(other._c) : order;
    }

    public static bool operator ==(InfoHash left, InfoHash right) => left.Equals(right);

    public static bool operator !=(InfoHash left, InfoHash right) => !left.Equals(right);

    public static bool operator <(InfoHash left, InfoHash right) => left.CompareTo(right) < 0;

    public static bool operator >(InfoHash left, InfoHash right) => left.CompareTo(right) > 0;

    public static bool operator <=(InfoHash left, InfoHash right) => left.CompareTo(right) <= 0;

    public static bool operator >=(InfoHash left, InfoHash right) => left.CompareTo(right) >= 0;
}
