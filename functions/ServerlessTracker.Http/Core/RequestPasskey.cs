using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Http.Core;

/// <summary>Chooses the passkey of an HTTP announce or scrape: the path segment (<c>/announce/{passkey}</c>), else <c>?passkey=</c> in the raw query.</summary>
public static class RequestPasskey
{
    /// <summary>Room for the longest passkey plus one byte, so a longer one is still seen (and refused) as such.</summary>
    public const int BufferLength = Passkey.MaxLength + 1;

    /// <summary>Copies the passkey into <paramref name="destination"/> (<see cref="BufferLength"/> bytes); returns its length, 0 when none.
    /// A passkey that is too long comes back as bytes no passkey has, so the policy calls it unknown.</summary>
    /// <param name="pathSegment">ASCII bytes of the path after the endpoint; empty when the path has none.</param>
    /// <param name="query">The raw query, with or without its leading <c>?</c>.</param>
    public static int Select(ReadOnlySpan<byte> pathSegment, ReadOnlySpan<byte> query, Span<byte> destination)
    {
        var key = pathSegment.IsEmpty ? FromQuery(query) : pathSegment;
        if (key.IsEmpty)
        {
            return 0;
        }

        if (key.Length >= destination.Length)
        {
            destination.Clear();
            return destination.Length;
        }

        key.CopyTo(destination);
        return key.Length;
    }

    private static ReadOnlySpan<byte> FromQuery(ReadOnlySpan<byte> query)
    {
        var name = "passkey="u8;
        var from = 0;
        while (from < query.Length)
        {
            var at = query[from..].IndexOf(name);
            if (at < 0)
            {
                return default;
            }

            at += from;
            if (at > 0 && (query[at - 1] == '?' || query[at - 1] == '&'))
            {
                var value = query[(at + name.Length)..];
                var end = value.IndexOf((byte)'&');
                return end < 0 ? value : value[..end];
            }

            from = at + 1;
        }

        return default;
    }
}
