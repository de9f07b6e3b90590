using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Stats;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Maps <c>/stats</c> (HTML) and <c>/stats.json</c> (alias <c>/stats/json</c>), open or behind <see cref="StatsOptions.Token"/>;
/// not at all when switched off, or in private mode without a token unless opened explicitly (<see cref="StatsOptions.IsServed"/>).</summary>
/// <remarks>Served from <see cref="StatsCache"/>: a request costs a byte copy, whatever the number of swarms.</remarks>
public static class StatsEndpoints
{
    public static IEndpointRouteBuilder MapStats(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<StatsOptions>>().Value;
        if (!options.IsServed(app.ServiceProvider.GetRequiredService<IOptions<PrivateModeSettings>>().Value.Enabled))
        {
            return app;
        }

        // Built now, not on the first view: its clock (rates, uptime) and its gauges start with the app.
        _ = app.ServiceProvider.GetRequiredService<StatsCache>();
        var digest = string.IsNullOrEmpty(options.Token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.Token));
        app.MapMethods("/stats", [HttpMethods.Get, HttpMethods.Head], context => ServeAsync(context, digest, html: true));
        app.MapMethods("/stats.json", [HttpMethods.Get, HttpMethods.Head], context => ServeAsync(context, digest, html: false));
        // The same without a dot in the path, for any front end that treats ".json" as a file (IIS request filtering did).
        app.MapMethods("/stats/json", [HttpMethods.Get, HttpMethods.Head], context => ServeAsync(context, digest, html: false));
        return app;
    }

    private static async Task ServeAsync(HttpContext context, byte[]? digest, bool html)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-cache";
        if (digest is not null && !Authorized(context.Request.Headers.Authorization.ToString(), digest))
        {
            response.StatusCode = StatusCodes.Status401Unauthorized;
            response.Headers.WWWAuthenticate = "Basic realm=\"tracker stats\", charset=\"UTF-8\"";
            return;
        }

        var rendered = await context.RequestServices.GetRequiredService<StatsCache>().GetAsync(context.RequestAborted);
        var body = html ? rendered.Html : rendered.Json;
        response.ContentType = html ? "text/html; charset=utf-8" : "application/json; charset=utf-8";
        response.Headers.XContentTypeOptions = "nosniff";
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted);
        }
    }

    /// <summary>Bearer with the token, or Basic with any user name and the token as password (so a browser can prompt).</summary>
    private static bool Authorized(string header, byte[] digest)
    {
        var bearer = AdminAuthorization.BearerToken(header);
        if (!bearer.IsEmpty)
        {
            return AdminAuthorization.Matches(digest, bearer);
        }

        var value = header.AsSpan().Trim();
        if (!value.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[768];
        if (!Convert.TryFromBase64Chars(value[6..].Trim(), decoded, out var length))
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(decoded[..length]);
        var colon = text.IndexOf(':');
        return colon >= 0 && AdminAuthorization.Matches(digest, text.AsSpan(colon + 1));
    }
}
