using System.Buffers;
using ServerlessTracker.Http.Core;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Reads the passkey segment of a Kestrel request's path (<c>/announce/{passkey}</c>, <c>/scrape/{passkey}</c>) as ASCII bytes.</summary>
public static class HttpPasskey
{
    /// <summary>Copies the path's passkey into <paramref name="destination"/> (<see cref="RequestPasskey.BufferLength"/> bytes); returns its length, 0 when none.
    /// A segment that is too long or not ASCII fills the whole buffer, which <see cref="RequestPasskey.Select"/> turns into bytes no passkey has.</summary>
    public static int FromPath(HttpContext context, Span<byte> destination)
    {
        var path = context.Request.Path.Value;
        if (string.IsNullOrEmpty(path))
        {
            return 0;
        }

        // The first segment is the endpoint (announce or scrape); the rest is the passkey.
        var slash = path.IndexOf('/', 1);
        var key = slash < 0 ? default : path.AsSpan(slash + 1).TrimEnd('/');
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
}
