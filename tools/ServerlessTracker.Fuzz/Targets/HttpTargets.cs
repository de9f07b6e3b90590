using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Fuzz.Targets;

/// <summary>The HTTP query parsers: any bytes end in an error value or a request that keeps the protocol's bounds.</summary>
internal static class HttpTargets
{
    public static void Announce(ReadOnlySpan<byte> query)
    {
        var error = AnnounceRequestParser.Parse(query, out var request);
        if (error == HttpTrackerError.None)
        {
            FuzzFinding.Check(request.Port >= 1, "accepted port 0");
            FuzzFinding.Check(request.Left >= 0 && request.Uploaded >= 0 && request.Downloaded >= 0, "accepted a negative counter");
            FuzzFinding.Check(request.NumWant >= AnnounceRequest.DefaultNumWant, "numwant below the default marker");
            FuzzFinding.Check((byte)request.Event <= (byte)AnnounceEvent.Stopped, "unknown event accepted");
        }
        else
        {
            FuzzFinding.Check(!HttpTrackerErrors.Reason(error).IsEmpty, "an error without a reason");
        }
    }

    public static void Scrape(ReadOnlySpan<byte> query)
    {
        Span<Bytes20> hashes = stackalloc Bytes20[100];
        var error = ScrapeRequestParser.Parse(query, hashes, out var count);
        FuzzFinding.Check(count is >= 0 and <= 100, "scrape count out of bounds");
        FuzzFinding.Check(error is HttpTrackerError.None or HttpTrackerError.TooManyInfoHashes or HttpTrackerError.InvalidInfoHash or HttpTrackerError.InvalidEncoding,
            $"unexpected scrape error {error}");
    }

    /// <summary>Decoding into small and large buffers; what decodes re-encodes and decodes to the same bytes.</summary>
    public static void PercentEncoding(ReadOnlySpan<byte> input)
    {
        Span<byte> small = stackalloc byte[21];
        Protocol.Http.PercentEncoding.TryDecode(input, small, out var smallWritten);
        FuzzFinding.Check(smallWritten <= small.Length, "wrote past the destination");

        var decoded = new byte[input.Length];
        if (!Protocol.Http.PercentEncoding.TryDecode(input, decoded, out var written))
        {
            return;
        }

        var encoded = new byte[Protocol.Http.PercentEncoding.EncodedLength(decoded.AsSpan(0, written))];
        var encodedLength = Protocol.Http.PercentEncoding.Encode(decoded.AsSpan(0, written), encoded);
        FuzzFinding.Check(encodedLength == encoded.Length, "EncodedLength disagrees with Encode");
        var again = new byte[written];
        FuzzFinding.Check(Protocol.Http.PercentEncoding.TryDecode(encoded, again, out var againWritten) && again.AsSpan(0, againWritten).SequenceEqual(decoded.AsSpan(0, written)),
            "percent-encoding does not round-trip");
    }
}
