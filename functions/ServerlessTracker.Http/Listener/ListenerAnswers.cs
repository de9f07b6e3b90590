using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.FastPath;

namespace ServerlessTracker.Http.Listener;

/// <summary>The bytes the tracker listener sends: a tracker answer with <c>Connection: close</c>, or a bodiless 404/400.</summary>
/// <remarks>
/// <code>
/// tracker answer: the fast path's head (<see cref="ResponseHead"/>, Connection: close) and the bencoded body
/// HTTP/1.1 404 Not Found CRLF      a well-formed request line for another path or method
/// HTTP/1.1 400 Bad Request CRLF    anything else: no request line, a tracker path with a body, Expect or limits exceeded
/// Content-Length: 0 CRLF
/// Connection: close CRLF
/// Date: rfc1123 CRLF
/// CRLF
/// </code>
/// </remarks>
internal static class ListenerAnswers
{
    /// <summary>Room the longest rejection needs.</summary>
    public const int MaxRejectionLength = 128;

    /// <summary>Head and body in one span (<paramref name="destination"/> holds <see cref="ResponseHead.MaxLength"/> more than the body).</summary>
    public static int WriteAnswer(Span<byte> destination, TrackerReply reply, ReadOnlySpan<byte> body, ReadOnlySpan<byte> dateLine)
    {
        var length = ResponseHead.Write(destination, body.Length, ConnectionMode.Close, reply, dateLine);
        body.CopyTo(destination[length..]);
        return length + body.Length;
    }

    public static int WriteRejection(Span<byte> destination, ReadOnlySpan<byte> request, ReadOnlySpan<byte> dateLine)
    {
        var status = NamesAnotherPath(request) ? "HTTP/1.1 404 Not Found\r\n"u8 : "HTTP/1.1 400 Bad Request\r\n"u8;
        var length = Append(destination, 0, status);
        length = Append(destination, length, "Content-Length: 0\r\nConnection: close\r\n"u8);
        length = Append(destination, length, dateLine);
        return Append(destination, length, "\r\n"u8);
    }

    /// <summary>A complete request line <c>METHOD SP /path SP HTTP/1.x</c> whose path is not a tracker endpoint.</summary>
    private static bool NamesAnotherPath(ReadOnlySpan<byte> request)
    {
        var lineEnd = request.IndexOf("\r\n"u8);
        if (lineEnd < 0)
        {
            return false;
        }

        var line = request[..lineEnd];
        var space = line.IndexOf((byte)' ');
        var last = line.LastIndexOf((byte)' ');
        if (space <= 0 || last <= space + 1 || !line[(last + 1)..].StartsWith("HTTP/1."u8) || line[space + 1] != '/')
        {
            return false;
        }

        var target = line[(space + 1)..last];
        var queryStart = target.IndexOf((byte)'?');
        var path = queryStart < 0 ? target : target[..queryStart];
        return !IsTrackerPath(path, "/announce"u8) && !IsTrackerPath(path, "/scrape"u8);
    }

    private static bool IsTrackerPath(ReadOnlySpan<byte> path, ReadOnlySpan<byte> endpoint) =>
        path.StartsWith(endpoint) && (path.Length == endpoint.Length || path[endpoint.Length] == '/');

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }
}
