using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Http;

/// <summary>Writes the bencoded scrape answer (BEP 48): <c>files</c> keyed by raw 20-byte info-hashes.</summary>
/// <remarks>
/// <c>d5:filesd 20:&lt;hash&gt; d8:completei..e10:downloadedi..e10:incompletei..ee ... ee</c>.
/// Bencode requires the hashes in raw byte order without repeats: callers sort and de-duplicate.
/// </remarks>
public static class ScrapeResponseWriter
{
    /// <summary>Upper bound on one file entry.</summary>
    public const int MaxEntryLength = 3 + Bytes20.Length + 2 + 10 + 12 + 12 + (3 * BencodeWriter.MaxIntegerLength);

    public const int EnvelopeLength = 12;

    public static void WriteStart(ref BencodeWriter writer)
    {
        writer.WriteDictionaryStart();
        writer.WriteBytes("files"u8);
        writer.WriteDictionaryStart();
    }

    public static void WriteEntry(ref BencodeWriter writer, scoped ReadOnlySpan<byte> infoHash, long complete, long downloaded, long incomplete)
    {
        writer.WriteBytes(infoHash);
        writer.WriteDictionaryStart();
        writer.WriteKeyInteger("complete"u8, complete);
        writer.WriteKeyInteger("downloaded"u8, downloaded);
        writer.WriteKeyInteger("incomplete"u8, incomplete);
        writer.WriteEnd();
    }

    public static void WriteEnd(ref BencodeWriter writer)
    {
        writer.WriteEnd();
        writer.WriteEnd();
    }
}
