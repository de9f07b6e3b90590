using System.Buffers.Text;
using ServerlessTracker.Http.Core;

namespace ServerlessTracker.Http.FastPath;

/// <summary>How an answer ends the exchange.</summary>
public enum ConnectionMode : byte
{
    /// <summary>HTTP/1.1 kept alive: no <c>Connection</c> header.</summary>
    KeepAlive,

    /// <summary>HTTP/1.0 kept alive: <c>Connection: keep-alive</c>.</summary>
    KeepAlive10,

    /// <summary>The server closes after the answer: <c>Connection: close</c>.</summary>
    Close,
}

/// <summary>Writes the status line and headers of a fast-path answer, in the order and spelling Kestrel uses for the same answer.</summary>
/// <remarks>
/// <code>
/// HTTP/1.1 200 OK CRLF
/// Content-Length: n CRLF
/// [Connection: close | Connection: keep-alive CRLF]
/// Content-Type: text/plain CRLF
/// Date: rfc1123 CRLF
/// [Content-Encoding: gzip CRLF]
/// [Vary: Accept-Encoding CRLF]
/// CRLF
/// </code>
/// Every tracker answer is a 200: refusals are bencoded <c>failure reason</c> bodies.
/// </remarks>
public static class ResponseHead
{
    /// <summary>Room the longest head needs.</summary>
    public const int MaxLength = 224;

    public static int Write(Span<byte> destination, int contentLength, ConnectionMode connection, TrackerReply reply, ReadOnlySpan<byte> dateLine)
    {
        var length = Append(destination, 0, "HTTP/1.1 200 OK\r\nContent-Length: "u8);
        Utf8Formatter.TryFormat(contentLength, destination[length..], out var digits);
        length = Append(destination, length + digits, "\r\n"u8);
        length = connection switch
        {
            ConnectionMode.Close => Append(destination, length, "Connection: close\r\n"u8),
            ConnectionMode.KeepAlive10 => Append(destination, length, "Connection: keep-alive\r\n"u8),
            _ => length,
        };
        length = Append(destination, length, "Content-Type: text/plain\r\n"u8);
        length = Append(destination, length, dateLine);
        if ((reply & TrackerReply.Gzip) != 0)
        {
            length = Append(destination, length, "Content-Encoding: gzip\r\n"u8);
        }

        if ((reply & TrackerReply.VaryByEncoding) != 0)
        {
            length = Append(destination, length, "Vary: Accept-Encoding\r\n"u8);
        }

        return Append(destination, length, "\r\n"u8);
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }
}
