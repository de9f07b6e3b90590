using System.Buffers.Text;

namespace ServerlessTracker.Protocol.Bencode;

/// <summary>Writes bencode (BEP 3) forward into a caller-sized span; callers size it with the writers' MaxLength helpers.</summary>
/// <remarks>
/// Bencode: integers <c>i&lt;decimal&gt;e</c>, byte strings <c>&lt;length&gt;:&lt;bytes&gt;</c>,
/// lists <c>l...e</c>, dictionaries <c>d...e</c> with keys as byte strings in raw byte order.
/// The writer does not sort keys: every caller writes its fixed-shape keys already in order.
/// Running out of space is a sizing bug in the caller, so it throws rather than returning a status.
/// </remarks>
public ref struct BencodeWriter
{
    /// <summary>Longest text of a 64-bit integer in bencode: i, sign, 19 digits, e.</summary>
    public const int MaxIntegerLength = 22;

    private readonly Span<byte> _buffer;
    private int _position;

    public BencodeWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _position = 0;
    }

    public readonly int BytesWritten => _position;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._position];

    /// <summary>Bytes that <see cref="WriteBytes"/> uses for a string of <paramref name="length"/> bytes.</summary>
    public static int StringLength(int length) => DigitCount(length) + 1 + length;

    public static int DigitCount(long value)
    {
        var digits = value < 0 ? 2 : 1;
        var magnitude = value < 0 ? (ulong)(-(value + 1)) + 1 : (ulong)value;
        while (magnitude >= 10)
        {
            magnitude /= 10;
            digits++;
        }

        return digits;
    }

    public void WriteDictionaryStart() => WriteByte((byte)'d');

    public void WriteListStart() => WriteByte((byte)'l');

    public void WriteEnd() => WriteByte((byte)'e');

    public void WriteInteger(long value)
    {
        WriteByte((byte)'i');
        WriteDecimal(value);
        WriteByte((byte)'e');
    }

    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        WriteDecimal(value.Length);
        WriteByte((byte)':');
        value.CopyTo(_buffer[_position..]);
        _position += value.Length;
    }

    /// <summary>Starts a byte string of <paramref name="length"/> bytes and returns the span to fill.</summary>
    public Span<byte> WriteBytesHeader(int length)
    {
        WriteDecimal(length);
        WriteByte((byte)':');
        var span = _buffer.Slice(_position, length);
        _position += length;
        return span;
    }

    /// <summary>Writes a dictionary key (a byte string) followed by an integer value.</summary>
    public void WriteKeyInteger(scoped ReadOnlySpan<byte> key, long value)
    {
        WriteBytes(key);
        WriteInteger(value);
    }

    /// <summary>Copies bytes that are already bencode (a pre-encoded fragment).</summary>
    public void WriteRaw(scoped ReadOnlySpan<byte> encoded)
    {
        encoded.CopyTo(_buffer[_position..]);
        _position += encoded.Length;
    }

    private void WriteDecimal(long value)
    {
        if (!Utf8Formatter.TryFormat(value, _buffer[_position..], out var written))
        {
            throw new InvalidOperationException("Bencode buffer too small.");
        }

        _position += written;
    }

    private void WriteByte(byte value)
    {
        _buffer[_position] = value;
        _position++;
    }
}
