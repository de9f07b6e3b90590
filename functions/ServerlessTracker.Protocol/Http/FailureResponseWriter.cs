using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Http;

/// <summary>Writes a bencoded refusal: <c>failure reason</c>, optionally <c>interval</c> (seconds) and BEP 31 <c>retry in</c> (minutes).</summary>
/// <remarks>
/// <c>interval</c> rides along because some clients (libtorrent among them) ignore <c>retry in</c>
/// and would otherwise retry at once.
/// </remarks>
public static class FailureResponseWriter
{
    /// <summary>BEP 31 counts <c>retry in</c> in whole minutes: seconds rounded up, at least one.</summary>
    public static int MinutesFromSeconds(int seconds) => Math.Max(1, (seconds + 59) / 60);

    public static int MaxLength(ReadOnlySpan<byte> reason) => 64 + reason.Length + (2 * BencodeWriter.MaxIntegerLength);

    /// <summary>Writes the refusal; a non-positive <paramref name="interval"/> or <paramref name="retryInMinutes"/> is left out.</summary>
    public static int Write(ReadOnlySpan<byte> reason, int interval, int retryInMinutes, Span<byte> destination)
    {
        var writer = new BencodeWriter(destination);
        writer.WriteDictionaryStart();
        writer.WriteBytes("failure reason"u8);
        writer.WriteBytes(reason);
        if (interval > 0)
        {
            writer.WriteKeyInteger("interval"u8, interval);
        }

        if (retryInMinutes > 0)
        {
            writer.WriteKeyInteger("retry in"u8, retryInMinutes);
        }

        writer.WriteEnd();
        return writer.BytesWritten;
    }
}
