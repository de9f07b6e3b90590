using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ServerlessTracker.Engine.Peers;

/// <summary>A peer's 20-byte id, the peer's identity within a swarm.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly struct PeerId : IEquatable<PeerId>
{
    public const int Length = 20;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly uint _c;

    private PeerId(ulong a, ulong b, uint c)
    {
        _a = a;
        _b = b;
        _c = c;
    }

    public static PeerId FromBytes(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..Length]),
        BinaryPrimitives.ReadUInt32BigEndian(bytes[16..Length]));

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

    public string ToHex() => Convert.ToHexStringLower(ToArray());

    public override string ToString() => ToHex();

    public bool Equals(PeerId other) => _a == other._a && _b == other._b && _c == other._c;

    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_a, _b, _c);

    public static bool operator ==(PeerId left, PeerId right) => left.Equals(right);

    public static bool operator !=(PeerId left, PeerId right) => !left.Equals(right);
}
