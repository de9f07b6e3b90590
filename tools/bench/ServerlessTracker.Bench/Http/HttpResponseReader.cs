using System.Buffers.Text;
using System.Net.Sockets;

namespace ServerlessTracker.Bench.Http;

/// <summary>How reading one response ended.</summary>
public enum ReadOutcome
{
    /// <summary>A whole response was read.</summary>
    Complete,

    /// <summary>The server closed the connection before sending any byte (a kept-alive connection it had dropped).</summary>
    ClosedBeforeResponse,

    /// <summary>The connection ended inside a response, or the response could not be parsed.</summary>
    Malformed,
}

/// <summary>One parsed HTTP/1.1 response; the body (de-chunked) lies in the reader's body buffer.</summary>
public readonly record struct HttpResponse(ReadOutcome Outcome, int Status, bool ConnectionClose, bool Gzip, int BodyLength);

/// <summary>
/// Reads one HTTP/1.1 response from a socket: status line, Content-Length or chunked body, Connection: close
/// and Content-Encoding: gzip headers. Buffers are owned by one connection and reused for every response.
/// </summary>
public sealed class HttpResponseReader
{
    private const int MaxResponseBytes = 16 << 20;
    private byte[] buffer = new byte[16 * 1024];
    private byte[] body = new byte[16 * 1024];

    /// <summary>The body of the last response read.</summary>
    public ReadOnlySpan<byte> Body(HttpResponse response) => body.AsSpan(0, response.BodyLength);

    public async ValueTask<HttpResponse> ReadAsync(Socket socket, CancellationToken cancellation)
    {
        var filled = 0;
        int headerEnd;
        while (true)
        {
            if (filled == buffer.Length && !Grow(ref buffer))
            {
                return Malformed();
            }

            var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellation);
            if (received == 0)
            {
                return filled == 0 ? new HttpResponse(ReadOutcome.ClosedBeforeResponse, 0, true, false, 0) : Malformed();
            }

            filled += received;
            headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
            if (headerEnd >= 0)
            {
                break;
            }
        }

        if (!TryParseHead(buffer.AsSpan(0, headerEnd), out var status, out var contentLength, out var chunked, out var close, out var gzip))
        {
            return Malformed();
        }

        var bodyStart = headerEnd + 4;
        if (chunked)
        {
            return await ReadChunkedAsync(socket, bodyStart, filled, status, close, gzip, cancellation);
        }

        if (contentLength < 0)
        {
            // Neither length nor chunks: the body runs to the end of the connection.
            if (!close)
            {
                return Malformed();
            }

            contentLength = MaxResponseBytes;
        }

        while (filled - bodyStart < contentLength)
        {
            if (filled == buffer.Length && !Grow(ref buffer))
            {
                return Malformed();
            }

            var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellation);
            if (received == 0)
            {
                if (contentLength == MaxResponseBytes)
                {
                    break;
                }

                return Malformed();
            }

            filled += received;
        }

        var length = Math.Min(contentLength, filled - bodyStart);
        EnsureBody(length);
        buffer.AsSpan(bodyStart, length).CopyTo(body);
        return new HttpResponse(ReadOutcome.Complete, status, close, gzip, length);
    }

    private async ValueTask<HttpResponse> ReadChunkedAsync(Socket socket, int position, int filled, int status, bool close, bool gzip, CancellationToken cancellation)
    {
        var bodyLength = 0;
        while (true)
        {
            // Need a whole chunk-size line.
            int lineEnd;
            while ((lineEnd = buffer.AsSpan(position, filled - position).IndexOf("\r\n"u8)) < 0)
            {
                if (!await FillAsync())
                {
                    return Malformed();
                }
            }

            var sizeLine = buffer.AsSpan(position, lineEnd);
            var semicolon = sizeLine.IndexOf((byte)';');
            if (semicolon >= 0)
            {
                sizeLine = sizeLine[..semicolon];
            }

            if (!Utf8Parser.TryParse(sizeLine, out int size, out var consumed, 'x') || consumed != sizeLine.Length || size < 0)
            {
                return Malformed();
            }

            position += lineEnd + 2;
            while (filled - position < size + 2)
            {
                if (!await FillAsync())
                {
                    return Malformed();
                }
            }

            if (size == 0)
            {
                // No trailers expected from a tracker: the last chunk is "0\r\n\r\n".
                return new HttpResponse(ReadOutcome.Complete, status, close, gzip, bodyLength);
            }

            EnsureBody(bodyLength + size);
            buffer.AsSpan(position, size).CopyTo(body.AsSpan(bodyLength));
            bodyLength += size;
            position += size + 2;
        }

        async ValueTask<bool> FillAsync()
        {
            if (filled == buffer.Length && !Grow(ref buffer))
            {
                return false;
            }

            var received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellation);
            filled += received;
            return received > 0;
        }
    }

    private static bool TryParseHead(ReadOnlySpan<byte> head, out int status, out int contentLength, out bool chunked, out bool close, out bool gzip)
    {
        status = 0;
        contentLength = -1;
        chunked = false;
        close = false;
        gzip = false;
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1."u8) || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out status, out _))
        {
            return false;
        }

        // An HTTP/1.0 answer closes unless it says keep-alive; trackers answer 1.1, so treat 1.0 as closing.
        close = statusLine[7] == (byte)'0';
        var rest = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            var line = lineEnd < 0 ? rest : rest[..lineEnd];
            rest = lineEnd < 0 ? ReadOnlySpan<byte>.Empty : rest[(lineEnd + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (name.EqualsIgnoreCase("content-length"u8))
            {
                if (!Utf8Parser.TryParse(value, out contentLength, out var consumed) || consumed != value.Length || contentLength < 0 || contentLength > MaxResponseBytes)
                {
                    return false;
                }
            }
            else if (name.EqualsIgnoreCase("transfer-encoding"u8))
            {
                chunked = value.EqualsIgnoreCase("chunked"u8);
            }
            else if (name.EqualsIgnoreCase("connection"u8))
            {
                close = value.EqualsIgnoreCase("close"u8) || (close && !value.EqualsIgnoreCase("keep-alive"u8));
            }
            else if (name.EqualsIgnoreCase("content-encoding"u8))
            {
                gzip = value.EqualsIgnoreCase("gzip"u8);
            }
        }

        return true;
    }

    private void EnsureBody(int length)
    {
        if (body.Length < length)
        {
            Array.Resize(ref body, Math.Max(length, body.Length * 2));
        }
    }

    private static bool Grow(ref byte[] array)
    {
        if (array.Length >= MaxResponseBytes)
        {
            return false;
        }

        Array.Resize(ref array, array.Length * 2);
        return true;
    }

    private static HttpResponse Malformed() => new(ReadOutcome.Malformed, 0, true, false, 0);
}

/// <summary>ASCII case-insensitive comparison of header bytes.</summary>
internal static class AsciiSpanExtensions
{
    public static bool EqualsIgnoreCase(this ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) =>
        System.Text.Ascii.EqualsIgnoreCase(left, right);
}
