using Microsoft.Extensions.Primitives;

namespace ServerlessTracker.Http.Core;

/// <summary>Reads a request's <c>Accept-Encoding</c> values on demand: only a full scrape needs them, so an announce or a
/// named scrape never materialises the header.</summary>
/// <remarks>A static delegate and its state, so handing one over allocates nothing.</remarks>
public readonly struct AcceptEncodingSource(Func<object, StringValues> read, object state)
{
    /// <summary>No <c>Accept-Encoding</c> header.</summary>
    public static AcceptEncodingSource None => default;

    public StringValues Read() => read is null ? StringValues.Empty : read(state);

    /// <summary>Whether gzip is acceptable: listed with a quality other than 0 (the same parse as ASP.NET Core's typed headers).</summary>
    public bool AllowsGzip()
    {
        var values = Read();
        if (StringValues.IsNullOrEmpty(values) || !Microsoft.Net.Http.Headers.StringWithQualityHeaderValue.TryParseList(values, out var encodings))
        {
            return false;
        }

        foreach (var encoding in encodings)
        {
            if (encoding.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && encoding.Quality is not 0)
            {
                return true;
            }
        }

        return false;
    }
}
