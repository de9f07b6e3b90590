using System.Buffers;
using System.Text;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Functions.Endpoints;

/// <summary>Sends bencoded answers. Every tracker-level refusal is HTTP 200 with a <c>failure reason</c>,
/// because BitTorrent clients show a failure reason only from a 200 answer.</summary>
public static class TrackerResponses
{
    public const string ContentType = "text/plain";

    /// <summary>Sends <paramref name="length"/> bytes of a rented buffer and returns it to the pool.</summary>
    public static async Task SendRentedAsync(HttpContext context, byte[] buffer, int length)
    {
        try
        {
            var response = context.Response;
            response.ContentType = ContentType;
            response.ContentLength = length;
            await response.Body.WriteAsync(buffer.AsMemory(0, length), context.RequestAborted);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static Task SendFailureAsync(HttpContext context, HttpTrackerError error) =>
        SendFailureAsync(context, HttpTrackerErrors.Reason(error), 0, 0);

    public static Task SendFailureAsync(HttpContext context, ReadOnlySpan<byte> reason, int interval, int retryInMinutes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FailureResponseWriter.MaxLength(reason));
        var length = FailureResponseWriter.Write(reason, interval, retryInMinutes, buffer);
        return SendRentedAsync(context, buffer, length);
    }

    public static Task SendFailureAsync(HttpContext context, string reason, int interval = 0, int retryInMinutes = 0) =>
        SendFailureAsync(context, Encoding.UTF8.GetBytes(reason), interval, retryInMinutes);

    /// <summary>Copies the raw query string into bytes; false when it is too long or not ASCII.</summary>
    public static HttpTrackerError ReadQuery(HttpContext context, int maxLength, Span<byte> destination, out int written)
    {
        written = 0;
        var query = context.Request.QueryString.Value;
        if (string.IsNullOrEmpty(query))
        {
            return HttpTrackerError.None;
        }

        if (query.Length > maxLength || query.Length > destination.Length)
        {
            return HttpTrackerError.QueryTooLong;
        }

        // The raw query is ASCII: anything else was decoded by something in front of us and is not trusted.
        return System.Text.Ascii.FromUtf16(query, destination, out written) == OperationStatus.Done
            ? HttpTrackerError.None
            : HttpTrackerError.InvalidEncoding;
    }
}
