using System.Text;

namespace ServerlessTracker.Protocol.Bencode;

/// <summary>Kinds of bencode values.</summary>
public enum BencodeKind
{
    Integer,
    String,
    List,
    Dictionary,
}

/// <summary>A decoded bencode value: for tests, tools and cold paths, never the announce path.</summary>
public sealed class BencodeValue
{
    private static readonly IReadOnlyList<BencodeValue> NoItems = [];
    private static readonly IReadOnlyList<KeyValuePair<byte[], BencodeValue>> NoEntries = [];

    private BencodeValue(BencodeKind kind, long integer, byte[]? bytes, IReadOnlyList<BencodeValue>? items, IReadOnlyList<KeyValuePair<byte[], BencodeValue>>? entries)
    {
        Kind = kind;
        Integer = integer;
        Bytes = bytes ?? [];
        Items = items ?? NoItems;
        Entries = entries ?? NoEntries;
    }

    public BencodeKind Kind { get; }

    public long Integer { get; }

    public byte[] Bytes { get; }

    public IReadOnlyList<BencodeValue> Items { get; }

    /// <summary>Dictionary entries in wire order (which a valid encoding keeps sorted by raw key bytes).</summary>
    public IReadOnlyList<KeyValuePair<byte[], BencodeValue>> Entries { get; }

    public string Text => Encoding.UTF8.GetString(Bytes);

    public static BencodeValue FromInteger(long value) => new(BencodeKind.Integer, value, null, null, null);

    public static BencodeValue FromBytes(byte[] value) => new(BencodeKind.String, 0, value, null, null);

    public static BencodeValue FromList(IReadOnlyList<BencodeValue> items) => new(BencodeKind.List, 0, null, items, null);

    public static BencodeValue FromDictionary(IReadOnlyList<KeyValuePair<byte[], BencodeValue>> entries) => new(BencodeKind.Dictionary, 0, null, null, entries);

    /// <summary>The value under a key of a dictionary, or null.</summary>
    public BencodeValue? this[string key] => Find(Encoding.UTF8.GetBytes(key));

    public BencodeValue? Find(ReadOnlySpan<byte> key)
    {
        foreach (var entry in Entries)
        {
            if (key.SequenceEqual(entry.Key))
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>Writes this value with <paramref name="writer"/>, entries in the order held (a decoded value re-encodes to its input).</summary>
    public void WriteTo(ref BencodeWriter writer)
    {
        switch (Kind)
        {
            case BencodeKind.Integer:
                writer.WriteInteger(Integer);
                break;
            case BencodeKind.String:
                writer.WriteBytes(Bytes);
                break;
            case BencodeKind.List:
                writer.WriteListStart();
                foreach (var item in Items)
                {
                    item.WriteTo(ref writer);
                }

                writer.WriteEnd();
                break;
            default:
                writer.WriteDictionaryStart();
                foreach (var (key, item) in Entries)
                {
                    writer.WriteBytes(key);
                    item.WriteTo(ref writer);
                }

                writer.WriteEnd();
                break;
        }
    }
}
