namespace ServerlessTracker.Protocol;

/// <summary>Finds the passkey in a tracker URL's path and query, as HTTP requests and BEP 41 URL data carry it.</summary>
/// <remarks>
/// <code>
/// /announce/{passkey}          the form this tracker hands out (also /scrape/{passkey})
/// /announce/{passkey}/         a trailing slash is ignored
/// /announce?passkey={passkey}  the query form some trackers use
/// </code>
/// Anything else has no passkey (an empty span). The passkey is returned as sent; the policy decides whether it is known.
/// </remarks>
public static class PasskeyPath
{
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> pathAndQuery)
    {
        var question = pathAndQuery.IndexOf((byte)'?');
        var path = question < 0 ? pathAndQuery : pathAndQuery[..question];
        var fromPath = AfterEndpoint(path, "/announce/"u8);
        if (fromPath.IsEmpty)
        {
            fromPath = AfterEndpoint(path, "/scrape/"u8);
        }

        if (!fromPath.IsEmpty || question < 0)
        {
            return fromPath;
        }

        var query = pathAndQuery[(question + 1)..];
        while (!query.IsEmpty)
        {
            var amp = query.IndexOf((byte)'&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            if (pair.StartsWith("passkey="u8))
            {
                return pair["passkey="u8.Length..];
            }
        }

        return default;
    }

    private static ReadOnlySpan<byte> AfterEndpoint(ReadOnlySpan<byte> path, ReadOnlySpan<byte> endpoint)
    {
        if (!path.StartsWith(endpoint))
        {
            return default;
        }

        var rest = path[endpoint.Length..];
        return rest.EndsWith("/"u8) ? rest[..^1] : rest;
    }
}
