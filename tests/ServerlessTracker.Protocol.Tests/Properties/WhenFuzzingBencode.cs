using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Tests.Properties;

/// <summary>The strict decoder against the writer: values round-trip, anything else is refused without an exception.</summary>
public class WhenFuzzingBencode
{
    [Property(MaxTest = 1000)]
    public Property AnyValueWrittenDecodesToTheSameValueAndBytes() =>
        Prop.ForAll(Values(4).ToArbitrary(), value =>
        {
            var bytes = Write(value);
            return BencodeDecoder.TryDecode(bytes, out var decoded, out _) && Same(value, decoded!) && Write(decoded!).AsSpan().SequenceEqual(bytes);
        });

    [Property(MaxTest = 3000)]
    public Property AnyBytesDecodeCanonicallyOrNotAtAll() =>
        Prop.ForAll(Gen.OneOf(Generators.Bytes(0, 100), Mutated()).ToArbitrary(), bytes =>
            !BencodeDecoder.TryDecode(bytes, out var decoded, out var error)
                ? error is not null
                : Write(decoded!).AsSpan().SequenceEqual(bytes));

    [Fact]
    public void DeepNestingIsRefusedNotAStackOverflow()
    {
        var deep = new byte[200_000];
        deep.AsSpan(0, 100_000).Fill((byte)'l');
        deep.AsSpan(100_000).Fill((byte)'e');
        Assert.False(BencodeDecoder.TryDecode(deep, out _, out var error));
        Assert.Equal("nesting too deep", error);
    }

    /// <summary>Valid encodings with a few bytes flipped, inserted or removed: close to valid, where parsers break.</summary>
    private static Gen<byte[]> Mutated() =>
        from value in Values(3)
        from edits in Gen.ArrayOf(Gen.Choose(0, int.MaxValue).Zip(Generators.Byte), 3)
        select Mutate(Write(value), edits);

    private static byte[] Mutate(byte[] bytes, (int Where, byte What)[] edits)
    {
        var list = bytes.ToList();
        foreach (var (where, what) in edits)
        {
            var at = list.Count == 0 ? 0 : where % (list.Count + 1);
            switch (where % 3)
            {
                case 0 when at < list.Count:
                    list[at] = what;
                    break;
                case 1:
                    list.Insert(at, what);
                    break;
                case 2 when at < list.Count:
                    list.RemoveAt(at);
                    break;
            }
        }

        return [.. list];
    }

    private static Gen<BencodeValue> Values(int depth)
    {
        var integer = Gen.OneOf(Gen.Choose(int.MinValue, int.MaxValue).Select(i => (long)i), Gen.Elements(long.MinValue + 1, long.MaxValue, 0L, -1L))
            .Select(BencodeValue.FromInteger);
        var text = Generators.Bytes(0, 24).Select(BencodeValue.FromBytes);
        if (depth == 0)
        {
            return Gen.OneOf(integer, text);
        }

        var inner = Values(depth - 1);
        var list = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(inner, n)).Select(items => BencodeValue.FromList(items));
        var dictionary = Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Generators.Bytes(0, 8).Zip(inner), n)).Select(entries =>
        {
            // Keys sorted by raw bytes and unique, as bencode requires.
            var sorted = new SortedDictionary<byte[], BencodeValue>(Comparer<byte[]>.Create((a, b) => a.AsSpan().SequenceCompareTo(b)));
            foreach (var (key, value) in entries)
            {
                sorted.TryAdd(key, value);
            }

            return BencodeValue.FromDictionary(sorted.ToList());
        });
        return Gen.Frequency((3, integer), (3, text), (1, list), (1, dictionary));
    }

    /// <summary>Writes a value tree with <see cref="BencodeWriter"/>, into a buffer sized from a first pass.</summary>
    public static byte[] Write(BencodeValue value)
    {
        var buffer = new byte[Size(value)];
        var writer = new BencodeWriter(buffer);
        value.WriteTo(ref writer);
        return buffer[..writer.BytesWritten];
    }

    private static int Size(BencodeValue value) => value.Kind switch
    {
        BencodeKind.Integer => BencodeWriter.MaxIntegerLength,
        BencodeKind.String => BencodeWriter.StringLength(value.Bytes.Length),
        BencodeKind.List => 2 + value.Items.Sum(Size),
        _ => 2 + value.Entries.Sum(e => BencodeWriter.StringLength(e.Key.Length) + Size(e.Value)),
    };

    private static bool Same(BencodeValue a, BencodeValue b) => a.Kind == b.Kind && a.Kind switch
    {
        BencodeKind.Integer => a.Integer == b.Integer,
        BencodeKind.String => a.Bytes.AsSpan().SequenceEqual(b.Bytes),
        BencodeKind.List => a.Items.Count == b.Items.Count && a.Items.Zip(b.Items).All(p => Same(p.First, p.Second)),
        _ => a.Entries.Count == b.Entries.Count && a.Entries.Zip(b.Entries).All(p => p.First.Key.AsSpan().SequenceEqual(p.Second.Key) && Same(p.First.Value, p.Second.Value)),
    };
}
