using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Net.Http.Headers;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Sends the core's bencoded answers through Kestrel (always HTTP 200, <c>text/plain</c>) and reads the raw query for it.</summary>
public static class TrackerResponses
{
    public const string ContentType = "text/plain";

    /// <summary>A shared body goes to Kestrel's output pipe in pieces of this size, each flushed before the next.</summary>
    public const int StreamChunk = 16 * 1024;

    /// <summary>Sends the answer: a written body in one write, a shared one (a full scrape) streamed from the snapshot.</summary>
    public static Task SendAsync(HttpContext context, ResponseBuffer body, TrackerReply reply)
    {
        var response = context.Response;
        response.ContentType = ContentType;
        if ((reply & TrackerReply.VaryByEncoding) != 0)
        {
            response.Headers.Vary = HeaderNames.AcceptEncoding;
        }

        if ((reply & TrackerReply.Gzip) != 0)
        {
            response.Headers.ContentEncoding = "gzip";
        }

        if (body.IsShared)
        {
            response.ContentLength = body.Body.Length;
            return StreamAsync(response.BodyWriter, body.Body, context.RequestAborted);
        }

        response.ContentLength = body.WrittenCount;
        return response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).AsTask();
    }

    /// <summary>Copies a chunk into the pipe and waits for its flush before the next: a client that reads slowly holds at most
    /// Kestrel's output buffer and one chunk of this answer, never a copy of the whole (Kestrel's MinResponseDataRate ends a
    /// client that stops reading).</summary>
    private static async Task StreamAsync(PipeWriter writer, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < body.Length; offset += StreamChunk)
        {
            var flushed = await writer.WriteAsync(body.Slice(offset, Math.Min(StreamChunk, body.Length - offset)), cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Reads the raw query string as ASCII bytes into a buffer of <paramref name="destination"/>'s length, or into
    /// <paramref name="rented"/> when longer (return it to the shared pool).</summary>
    /// <returns><see cref="HttpTrackerError.InvalidEncoding"/> when the query is not ASCII: something in front of us decoded it.</returns>
    public static HttpTrackerError ReadQuery(HttpContext context, Span<byte> destination, out byte[]? rented, out ReadOnlySpan<byte> query)
    {
        rented = null;
        query = default;
        var value = context.Request.QueryString.Value;
        if (string.IsNullOrEmpty(value))
        {
            return HttpTrackerError.None;
        }

        if (value.Length > destination.Length)
        {
            rented = ArrayPool<byte>.Shared.Rent(value.Length);
            destination = rented;
        }

        if (System.Text.Ascii.FromUtf16(value, destination, out var written) != OperationStatus.Done)
        {
            return HttpTrackerError.InvalidEncoding;
        }

        query = destination[..written];
        return HttpTrackerError.None;
    }
}
