using System.Buffers;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Core;

/// <summary>Writes bencoded <c>failure reason</c> bodies. Every tracker-level refusal is HTTP 200 with one,
/// because BitTorrent clients show a failure reason only from a 200 answer.</summary>
public static class FailureBodies
{
    private static ReadOnlySpan<byte> StoreUnavailableReason => "tracker storage is unavailable, retry later"u8;

    public static void Write(IBufferWriter<byte> body, HttpTrackerError error) =>
        Write(body, HttpTrackerErrors.Reason(error), 0, 0);

    public static void Write(IBufferWriter<byte> body, ReadOnlySpan<byte> reason, int interval, int retryInMinutes)
    {
        var length = FailureResponseWriter.Write(reason, interval, retryInMinutes, body.GetSpan(FailureResponseWriter.MaxLength(reason)));
        body.Advance(length);
    }

    /// <summary>Storage failed: wait <paramref name="retrySeconds"/> (as <c>interval</c>, and as BEP 31 <c>retry in</c> in minutes).</summary>
    public static void WriteStoreUnavailable(IBufferWriter<byte> body, int retrySeconds) =>
        Write(body, StoreUnavailableReason, retrySeconds, FailureResponseWriter.MinutesFromSeconds(retrySeconds));
}
