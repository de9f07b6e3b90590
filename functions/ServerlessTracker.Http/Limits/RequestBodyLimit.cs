using Microsoft.AspNetCore.Http.Features;

namespace ServerlessTracker.Http.Limits;

/// <summary>Raises Kestrel's body limit (<see cref="Hosting.KestrelTuning.MaxRequestBodyBytes"/>) for one request that accepts more.</summary>
public static class RequestBodyLimit
{
    /// <summary>Call before reading the body; a body over <paramref name="maxBytes"/> then fails to read (Kestrel answers 413).</summary>
    public static void Raise(HttpContext context, long maxBytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes;
        }
    }
}
