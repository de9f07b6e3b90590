using System.Buffers;
using Microsoft.Net.Http.Headers;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Sends the core's bencoded answers through Kestrel (always HTTP 200, <c>text/plain</c>) and reads the raw query for it.</summary>
public static class TrackerResponses
{
    public const string ContentType = "text/plain";

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

        response.ContentLength = body.WrittenCount;
        return response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted).AsTask();
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
