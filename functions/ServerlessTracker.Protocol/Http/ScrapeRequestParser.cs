namespace ServerlessTracker.Protocol.Http;

/// <summary>Parses the raw query bytes of an HTTP scrape (BEP 48): zero or more repeated <c>info_hash</c> keys.</summary>
/// <remarks>No <c>info_hash</c> at all asks for a full scrape. Other parameters are ignored.</remarks>
public static class ScrapeRequestParser
{
    /// <summary>Fills <paramref name="hashes"/>; more hashes than it holds is <see cref="HttpTrackerError.TooManyInfoHashes"/>.</summary>
    public static HttpTrackerError Parse(ReadOnlySpan<byte> query, Span<Bytes20> hashes, out int count)
    {
        count = 0;
        var parameters = new QueryParameters(query);
        while (parameters.MoveNext())
        {
            if (!parameters.Name.SequenceEqual("info_hash"u8))
            {
                continue;
            }

            if (count == hashes.Length)
            {
                return HttpTrackerError.TooManyInfoHashes;
            }

            var error = AnnounceRequestParser.DecodeBytes20(parameters.Value, ref hashes[count], HttpTrackerError.InvalidInfoHash);
            if (error != HttpTrackerError.None)
            {
                return error;
            }

            count++;
        }

        return HttpTrackerError.None;
    }

    /// <summary>How many <c>info_hash</c> keys the query names, without decoding them: what a front door may charge to the
    /// client's budget before the scrape is served (each named hash is a lookup).</summary>
    public static int CountInfoHashes(ReadOnlySpan<byte> query)
    {
        var count = 0;
        var parameters = new QueryParameters(query);
        while (parameters.MoveNext())
        {
            if (parameters.Name.SequenceEqual("info_hash"u8))
            {
                count++;
            }
        }

        return count;
    }
}
