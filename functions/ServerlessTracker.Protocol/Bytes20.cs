using System.Runtime.CompilerServices;

namespace ServerlessTracker.Protocol;

/// <summary>Twenty raw bytes on the wire: an info-hash or a peer id, exactly as the client sent them.</summary>
[InlineArray(20)]
public struct Bytes20
{
    public const int Length = 20;
    private byte _element0;

    public static Bytes20 From(ReadOnlySpan<byte> source)
    {
        if (source.Length != Length)
        {
            throw new ArgumentException("Exactly 20 bytes are required.", nameof(source));
        }

        var value = default(Bytes20);
        source.CopyTo(value);
        return value;
    }
}
