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
        value!.WriteTo(ref writer);
        FuzzFinding.Check(writer.Written.SequenceEqual(input), "decoded value does not re-encode to its input");
    }
}
