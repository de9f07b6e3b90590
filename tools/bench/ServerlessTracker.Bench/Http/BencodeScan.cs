namespace ServerlessTracker.Bench.Http;

/// <summary>What the benchmark needs from a tracker answer's top-level dictionary.</summary>
public struct AnswerFacts
{
    public bool Failure;
    public bool HasInterval;
    public int PeersBytes;
    public bool HasPeers;
    public int FileEntries;
    public int CompleteFileEntries;
    public bool HasFiles;
    public int PeersNotLoopback;
}

/// <summary>
/// A non-allocating bencode well-formedness check that also pulls out the top-level keys the validator judges
/// (failure reason, interval, peers, files). Every answer goes through it; the strict decoder of the Protocol
/// library checks a sample on top (canonical integers, sorted keys).
/// </summary>
public static class BencodeScan
{
    public static bool TryScan(ReadOnlySpan<byte> input, out AnswerFacts facts)
    {
        facts = default;
        if (input.Length < 2 || input[0] != (byte)'d')
        {
            return false;
        }

        var position = 1;
        while (position < input.Length && input[position] != (byte)'e')
        {
            if (!TryReadString(input, ref position, out var key))
            {
                return false;
            }

            var valueStart = position;
            if (key.SequenceEqual("files"u8) && position < input.Length && input[position] == (byte)'d')
            {
                facts.HasFiles = true;
                if (!TryScanFiles(input, ref position, ref facts))
                {
                    return false;
                }

                continue;
            }

            if (!TrySkip(input, ref position, 0))
            {
                return false;
            }

            var value = input[valueStart..position];
            if (key.SequenceEqual("failure reason"u8))
            {
                facts.Failure = true;
            }
            else if (key.SequenceEqual("interval"u8))
            {
                facts.HasInterval = value[0] == (byte)'i';
            }
            else if (key.SequenceEqual("peers"u8) && value[0] != (byte)'l' && value[0] != (byte)'d')
            {
                var peers = value[(value.IndexOf((byte)':') + 1)..];
                facts.HasPeers = true;
                facts.PeersBytes = peers.Length;
                for (var i = 0; i + 6 <= peers.Length; i += 6)
                {
                    if (peers[i] != 127)
                    {
                        facts.PeersNotLoopback++;
                    }
                }
            }
        }

        return position == input.Length - 1;
    }

    private static bool TryScanFiles(ReadOnlySpan<byte> input, ref int position, ref AnswerFacts facts)
    {
        position++;
        while (position < input.Length && input[position] != (byte)'e')
        {
            if (!TryReadString(input, ref position, out _) || position >= input.Length || input[position] != (byte)'d')
            {
                return false;
            }

            facts.FileEntries++;
            position++;
            var fields = 0;
            while (position < input.Length && input[position] != (byte)'e')
            {
                if (!TryReadString(input, ref position, out var key))
                {
                    return false;
                }

                var isCount = key.SequenceEqual("complete"u8) || key.SequenceEqual("incomplete"u8) || key.SequenceEqual("downloaded"u8);
                if (isCount && position < input.Length && input[position] == (byte)'i')
                {
                    fields++;
                }

                if (!TrySkip(input, ref position, 1))
                {
                    return false;
                }
            }

            position++;
            if (fields == 3)
            {
                facts.CompleteFileEntries++;
            }
        }

        position++;
        return position <= input.Length;
    }

    private static bool TrySkip(ReadOnlySpan<byte> input, ref int position, int depth)
    {
        if (position >= input.Length || depth > 32)
        {
            return false;
        }

        switch (input[position])
        {
            case (byte)'i':
                var end = input[position..].IndexOf((byte)'e');
                if (end < 2)
                {
                    return false;
                }

                position += end + 1;
                return true;
            case (byte)'l':
            case (byte)'d':
                var isDictionary = input[position] == (byte)'d';
                position++;
                while (position < input.Length && input[position] != (byte)'e')
                {
                    if (isDictionary && !TryReadString(input, ref position, out _))
                    {
                        return false;
                    }

                    if (!TrySkip(input, ref position, depth + 1))
                    {
                        return false;
                    }
                }

                position++;
                return position <= input.Length;
            default:
                return TryReadString(input, ref position, out _);
        }
    }

    private static bool TryReadString(ReadOnlySpan<byte> input, ref int position, out ReadOnlySpan<byte> value)
    {
        value = default;
        var length = 0;
        var digits = 0;
        while (position < input.Length && input[position] is >= (byte)'0' and <= (byte)'9')
        {
            length = (length * 10) + (input[position] - '0');
            position++;
            if (++digits > 7)
            {
                return false;
            }
        }

        if (digits == 0 || position >= input.Length || input[position] != (byte)':' || position + 1 + length > input.Length)
        {
            return false;
        }

        value = input.Slice(position + 1, length);
        position += 1 + length;
        return true;
    }
}
