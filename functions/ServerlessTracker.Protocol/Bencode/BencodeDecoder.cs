namespace ServerlessTracker.Protocol.Bencode;

/// <summary>A strict bencode decoder: canonical integers, sorted unique keys, bounded depth, no trailing bytes.</summary>
public static class BencodeDecoder
{
    public const int MaxDepth = 64;

    /// <summary>Decodes one value that spans the whole input; returns false with a reason on any deviation.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> input, out BencodeValue? value, out string? error)
    {
        var position = 0;
        value = ReadValue(input, ref position, 0, out error);
        if (value is null)
        {
            return false;
        }

        if (position != input.Length)
        {
            value = null;
            error = $"trailing bytes at offset {position}";
            return false;
        }

        return true;
    }

    /// <summary>Decodes or throws <see cref="FormatException"/>: for tests and tools.</summary>
    public static BencodeValue Decode(ReadOnlySpan<byte> input) =>
        TryDecode(input, out var value, out var error) ? value! : throw new FormatException(error);

    private static BencodeValue? ReadValue(ReadOnlySpan<byte> input, ref int position, int depth, out string? error)
    {
        error = null;
        if (depth > MaxDepth)
        {
            error = "nesting too deep";
            return null;
        }

        if (position >= input.Length)
        {
            error = "unexpected end of input";
            return null;
        }

        switch (input[position])
        {
            case (byte)'i':
                position++;
                return ReadInteger(input, ref position, (byte)'e', out var integer, out error) ? BencodeValue.FromInteger(integer) : null;
            case (byte)'l':
                return ReadList(input, ref position, depth, out error);
            case (byte)'d':
                return ReadDictionary(input, ref position, depth, out error);
            case >= (byte)'0' and <= (byte)'9':
                return ReadString(input, ref position, out var bytes, out error) ? BencodeValue.FromBytes(bytes!) : null;
            default:
                error = $"unexpected byte 0x{input[position]:x2} at offset {position}";
                return null;
        }
    }

    private static BencodeValue? ReadList(ReadOnlySpan<byte> input, ref int position, int depth, out string? error)
    {
        position++;
        var items = new List<BencodeValue>();
        while (true)
        {
            if (position >= input.Length)
            {
                error = "unterminated list";
                return null;
            }

            if (input[position] == (byte)'e')
            {
                position++;
                error = null;
                return BencodeValue.FromList(items);
            }

            var item = ReadValue(input, ref position, depth + 1, out error);
            if (item is null)
            {
                return null;
            }

            items.Add(item);
        }
    }

    private static BencodeValue? ReadDictionary(ReadOnlySpan<byte> input, ref int position, int depth, out string? error)
    {
        position++;
        var entries = new List<KeyValuePair<byte[], BencodeValue>>();
        byte[]? previous = null;
        while (true)
        {
            if (position >= input.Length)
            {
                error = "unterminated dictionary";
                return null;
            }

            if (input[position] == (byte)'e')
            {
                position++;
                error = null;
                return BencodeValue.FromDictionary(entries);
            }

            if (input[position] is < (byte)'0' or > (byte)'9')
            {
                error = $"dictionary key is not a string at offset {position}";
                return null;
            }

            if (!ReadString(input, ref position, out var key, out error))
            {
                return null;
            }

            if (previous is not null && previous.AsSpan().SequenceCompareTo(key) >= 0)
            {
                error = "dictionary keys are not sorted and unique";
                return null;
            }

            var item = ReadValue(input, ref position, depth + 1, out error);
            if (item is null)
            {
                return null;
            }

            entries.Add(new KeyValuePair<byte[], BencodeValue>(key!, item));
            previous = key;
        }
    }

    private static bool ReadString(ReadOnlySpan<byte> input, ref int position, out byte[]? bytes, out string? error)
    {
        bytes = null;
        if (!ReadInteger(input, ref position, (byte)':', out var length, out error))
        {
            return false;
        }

        if (length < 0 || length > input.Length - position)
        {
            error = "string length out of range";
            return false;
        }

        bytes = input.Slice(position, (int)length).ToArray();
        position += (int)length;
        return true;
    }

    private static bool ReadInteger(ReadOnlySpan<byte> input, ref int position, byte terminator, out long value, out string? error)
    {
        value = 0;
        error = null;
        var start = position;
        var negative = false;
        if (position < input.Length && input[position] == (byte)'-')
        {
            negative = true;
            position++;
        }

        var digitsStart = position;
        while (position < input.Length && input[position] is >= (byte)'0' and <= (byte)'9')
        {
            var digit = input[position] - '0';
            if (value > (long.MaxValue - digit) / 10)
            {
                error = $"integer overflow at offset {start}";
                return false;
            }

            value = (value * 10) + digit;
            position++;
        }

        var digits = position - digitsStart;
        if (digits == 0 || position >= input.Length || input[position] != terminator)
        {
            error = $"malformed integer at offset {start}";
            return false;
        }

        if ((digits > 1 && input[digitsStart] == (byte)'0') || (negative && value == 0) || (negative && terminator == (byte)':'))
        {
            error = $"non-canonical integer at offset {start}";
            return false;
        }

        position++;
        value = negative ? -value : value;
        return true;
    }
}
