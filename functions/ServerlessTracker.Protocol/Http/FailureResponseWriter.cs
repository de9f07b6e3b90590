using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Http;

/// <summary>Writes a bencoded refusal: <c>failure reason</c>, optionally <c>interval</c> and BEP 31 <c>retry in</c>.</summary>
/// <remarks>
/// <c>interval</c> rides along because some clients (libtorrent among them) ignore <c>retry in</c>
/// and would otherwise retry at once.
/// </remarks>
public static class FailureResponseWriter
{
    public static int MaxLength(ReadOnlySpan<byte> reason) => 64 + reason.Length + (2 * BencodeWriter.MaxIntegerLength);

    /// <summary>Writes the refusal; a non-positive <paramref name="interval"/> or <paramref name="retryIn"/> is left out.</summary>
    public static int Write(ReadOnlySpan<byte> reason, int interval, int retryIn, Span<byte> destination)
    {
        var writer = new BencodeWriter(destination);
        writer.WriteDictionaryStart();
        writer.WriteBytes("failure reason"u8);
        writer.WriteBytes(reason);
        if (interval > 0)
        {
            writer.WriteKeyInteger("interval"u8, interval);
        }

        if (retryIn > 0)
        {
            writer.WriteKeyInteger("retry in"u8, retryIn);
        }

        writer.WriteEnd();
        return writer.BytesWritten;
    }
}
