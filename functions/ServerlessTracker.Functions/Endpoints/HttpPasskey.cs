using System.Buffers;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Functions.Endpoints;

/// <summary>Reads the passkey of an HTTP announce or scrape: <c>/announce/{passkey}</c>, <c>/scrape/{passkey}</c>, or <c>?passkey=</c>.</summary>
public static class HttpPasskey
{
    /// <summary>Room for the longest passkey plus one byte, so a longer one is still seen (and refused) as such.</summary>
    public const int BufferLength = Passkey.MaxLength + 1;

    /// <summary>Copies the passkey as ASCII bytes into <paramref name="destination"/> (<see cref="BufferLength"/> bytes); returns its length, 0 when none.
    /// A passkey that is too long or not ASCII comes back as bytes no passkey has, so the policy calls it unknown.</summary>
    public static int Read(HttpContext context, Span<byte> destination)
    {
        var key = FromPath(context.Request.Path.Value);
        if (key.IsEmpty)
        {
            key = FromQuery(context.Request.QueryString.Value);
        }

        if (key.IsEmpty)
        {
            return 0;
        }

        if (key.Length >= destination.Length || System.Text.Ascii.FromUtf16(key, destination, out var written) != OperationStatus.Done)
        {
            destination.Clear();
            return destination.Length;
        }

        return written;
    }

    private static ReadOnlySpan<char> FromPath(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return default;
        }

        // The first segment is the endpoint (announce or scrape); the rest is the passkey.
        var slash = path.IndexOf('/', 1);
        return slash < 0 ? default : path.AsSpan(slash + 1).TrimEnd('/');
    }

    private static ReadOnlySpan<char> FromQuery(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return default;
        }

        var span = query.AsSpan();
        var at = span.IndexOf("passkey=", StringComparison.Ordinal);
        while (at >= 0)
        {
            if (at > 0 && (span[at - 1] == '?' || span[at - 1] == '&'))
            {
                var value = span[(at + "passkey=".Length)..];
                var end = value.IndexOf('&');
                return end < 0 ? value : value[..end];
            }

            var next = span[(at + 1)..].IndexOf("passkey=", StringComparison.Ordinal);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return default;
    }
}
