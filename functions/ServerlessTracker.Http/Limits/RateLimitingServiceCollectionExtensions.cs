using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Limits;

/// <summary>Per-address budgets for <c>/announce</c> and <c>/scrape</c>: ASP.NET Core's rate limiter middleware in front of
/// Kestrel's endpoints, on the buckets of <see cref="TrackerRateLimiter"/> that the connection fast path shares.</summary>
/// <remarks>
/// Over budget, a client gets what a tracker client understands: HTTP 200 with a bencoded <c>failure reason</c>,
/// <c>interval</c> (seconds) and <c>retry in</c> (BEP 31: minutes, rounded up); nothing reaches the store. Other paths (sync,
/// invocations, admin) have their own authentication and are not counted.
/// </remarks>
public static class RateLimitingServiceCollectionExtensions
{
    public static IServiceCollection AddTrackerRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TrackerRateLimiter>();
        services.AddRateLimiter(static _ => { });
        services.AddOptions<RateLimiterOptions>().Configure<TrackerRateLimiter, ClientAddressReader, ObjectPool<ResponseBuffer>>(static (limiter, budgets, addresses, buffers) =>
        {
            // The same buckets as the fast path, keyed by the same address rule (ClientAddressReader behind trusted proxies).
            limiter.GlobalLimiter = budgets.ForRequests(context =>
                IsTrackerPath(context.Request.Path) ? budgets.KeyFor(addresses.Read(context)) : AddressKey.Unlimited);
            limiter.RejectionStatusCode = StatusCodes.Status200OK;
            limiter.OnRejected = (rejected, _) => new ValueTask(SendRefusalAsync(rejected.HttpContext, budgets, buffers));
        });
        return services;
    }

    /// <summary>Puts the limiter in front of the endpoints (call before mapping them); nothing at all when the limit is off.</summary>
    /// <remarks>Measured: the middleware's async frame costs about 130 bytes per request; choosing a bucket costs nothing.</remarks>
    public static IApplicationBuilder UseTrackerRateLimiting(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<TrackerRateLimiter>().Enabled ? app.UseRateLimiter() : app;

    private static async Task SendRefusalAsync(HttpContext context, TrackerRateLimiter budgets, ObjectPool<ResponseBuffer> buffers)
    {
        var body = buffers.Get();
        try
        {
            budgets.WriteRefusal(body);
            await TrackerResponses.SendAsync(context, body, TrackerReply.Plain);
        }
        finally
        {
            buffers.Return(body);
        }
    }

    // Announce and scrape, with or without a passkey segment (/announce/{passkey}); the fast path serves only paths among these.
    private static bool IsTrackerPath(PathString path) =>
        path.StartsWithSegments("/announce", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/scrape", StringComparison.OrdinalIgnoreCase);
}
