using System.Runtime.CompilerServices;

namespace ServerlessTracker.Protocol.Http;

/// <summary>URL percent-encoding over raw bytes (RFC 3986 §2.1), binary-safe for info_hash and peer_id.</summary>
/// <remarks>
/// Decoding maps <c>%XX</c> (either hex case) to one byte and <c>+</c> to a space, as form-encoded
/// query strings do; every other byte stands for itself. A <c>%</c> not followed by two hex digits
/// is an error, never passed through, so two spellings of one hash cannot become two swarms.
/// </remarks>
public static class PercentEncoding
{
    private static ReadOnlySpan<byte> HexDigits => "0123456789abcdef"u8;

    /// <summary>Decodes into <paramref name="destination"/>; false on a bad escape or when it does not fit.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, Span<byte> destination, out int written)
    {
        written = 0;
        var i = 0;
        while (i < source.Length)
        {
            if (written == destination.Length)
            {
                return false;
            }

            var b = source[i];
            if (b == (byte)'%')
            {
                if (i + 2 >= source.Length)
                {
                    return false;
                }

                var high = HexValue(source[i + 1]);
                var low = HexValue(source[i + 2]);
                if ((high | low) < 0)
                {
                    return false;
                }

                destination[written++] = (byte)((high << 4) | low);
                i += 3;
            }
            else
            {
                destination[written++] = b == (byte)'+' ? (byte)' ' : b;
                i++;
            }
        }

        return true;
    }

    /// <summary>Length of <paramref name="source"/> once percent-encoded with <see cref="Encode"/>.</summary>
    public static int EncodedLength(ReadOnlySpan<byte> source)
    {
        var length = 0;
        foreach (var b in source)
        {
            length += IsUnreserved(b) ? 1 : 3;
        }

        return length;
    }

    /// <summary>Percent-encodes every byte outside RFC 3986's unreserved set.</summary>
    public static int Encode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        foreach (var b in source)
        {
            if (IsUnreserved(b))
            {
                destination[written++] = b;
            }
            else
            {
                destination[written++] = (byte)'%';
                destination[written++] = HexDigits[b >> 4];
                destination[written++] = HexDigits[b & 0xF];
            }
        }

        return written;
    }

    private static bool IsUnreserved(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    // A table rather than a comparison chain: decoding ran a call and three range checks per hex digit, and a binary
    // info_hash and peer_id are 80 of them per announce (2 % of an announce's CPU on a new connection each).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int HexValue(byte b) => HexValues[b];

    /// <summary>The value of each byte as a hex digit, -1 for a byte that is none.</summary>
    private static ReadOnlySpan<sbyte> HexValues =>
    [
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
        -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
    ];
}
