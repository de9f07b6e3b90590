namespace ServerlessTracker.Http.FastPath;

/// <summary>When bytes the fast path does not serve may go to Kestrel: only once Kestrel can answer them at once.</summary>
/// <remarks>
/// Kestrel times a head it reads itself on its one-second heartbeat with a beat of slack, and skips blank lines before a
/// request under its keep-alive timeout (60 s here): a client that sends a blank line, garbage or half a head and waits would
/// hold the connection far longer than the fast path's own head timeout. So the fast path keeps such a connection, under its
/// timeout, until the bytes are one of:
/// <list type="bullet">
/// <item>a whole head (a blank line ends it): Kestrel serves or refuses it at once;</item>
/// <item>a first line that is no HTTP/1.x request line (garbage, an HTTP/2 preface, another version): Kestrel refuses it at once;</item>
/// <item>more than a request line or a head may hold: Kestrel answers 414 or 431 at once;</item>
/// <item>the start of an HTTP/2 preface (<c>PRI * HTTP/2</c>), for an endpoint that speaks HTTP/2 as well;</item>
/// <item>a TLS record header (0x16 0x03 0x00-0x04): an HTTPS endpoint's TLS layer comes after this middleware and needs
/// it, and on a plain endpoint Kestrel recognises a TLS handshake and answers 400 at once.</item>
/// </list>
/// Anything else (half a head that may still become a request) waits, and is closed at the head timeout.
/// </remarks>
public static class HandOffRule
{
    /// <summary>The first byte of a TLS handshake record.</summary>
    private const byte TlsHandshake = 0x16;

    /// <param name="data">The request's bytes so far (at most <see cref="HeadLimits.MaxHeadLength"/> of them).</param>
    public static bool KestrelAnswersAtOnce(ReadOnlySpan<byte> data, in HeadLimits limits)
    {
        if (data.IsEmpty)
        {
            return false;
        }

        if (data.Length >= limits.MaxHeadLength || IsTlsRecord(data) || data.StartsWith("PRI * HTTP/2"u8))
        {
            return true;
        }

        var lineEnd = data.IndexOf((byte)'\n');
        if (lineEnd < 0)
        {
            return data.Length >= limits.MaxRequestLine;
        }

        var line = data[..lineEnd];
        if (!line.EndsWith(" HTTP/1.1\r"u8) && !line.EndsWith(" HTTP/1.0\r"u8) && !line.EndsWith(" HTTP/1.1"u8) && !line.EndsWith(" HTTP/1.0"u8))
        {
            return true;
        }

        return data.IndexOf("\r\n\r\n"u8) >= 0 || data.IndexOf("\n\n"u8) >= 0 || data.IndexOf("\n\r\n"u8) >= 0;
    }

    /// <summary>A TLS handshake record's header: content type 22, protocol version 3.x (SSL 3.0 to TLS 1.3's legacy 3.1-3.3).</summary>
    private static bool IsTlsRecord(ReadOnlySpan<byte> data) =>
        data.Length >= 3 && data[0] == TlsHandshake && data[1] == 3 && data[2] <= 4;

    /// <summary>How many line ends (CR or LF) open <paramref name="data"/>: blank lines before a request line, which HTTP/1.1
    /// servers skip (RFC 9112 section 2.2) and the fast path skips too, under the head timeout.</summary>
    public static int LeadingLineEnds(ReadOnlySpan<byte> data)
    {
        var index = data.IndexOfAnyExcept((byte)'\r', (byte)'\n');
        return index < 0 ? data.Length : index;
    }
}
