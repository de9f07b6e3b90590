using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Fuzz.Targets;

/// <summary>The strict decoder: what it accepts, <see cref="BencodeWriter"/> writes back byte for byte.</summary>
internal static class BencodeTarget
{
    public static void Run(ReadOnlySpan<byte> input)
    {
        if (!BencodeDecoder.TryDecode(input, out var value, out var error))
        {
            FuzzFinding.Check(error is not null, "refused without a reason");
            return;
        }

        var buffer = new byte[input.Length + 64];
        var writer = new BencodeWriter(buffer);
        Write(ref writer, value!);
        FuzzFinding.Check(writer.Written.SequenceEqual(input), "decoded value does not re-encode to its input");
    }

    private static void Write(ref BencodeWriter writer, BencodeValue value)
    {
        switch (value.Kind)
        {
            case BencodeKind.Integer:
                writer.WriteInteger(value.Integer);
                break;
            case BencodeKind.String:
                writer.WriteBytes(value.Bytes);
                break;
            case BencodeKind.List:
                writer.WriteListStart();
                foreach (var item in value.Items)
                {
                    Write(ref writer, item);
                }

                writer.WriteEnd();
                break;
            default:
                writer.WriteDictionaryStart();
                foreach (var (key, item) in value.Entries)
                {
                    writer.WriteBytes(key);
                    Write(ref writer, item);
                }

                writer.WriteEnd();
                break;
        }
    }
}
