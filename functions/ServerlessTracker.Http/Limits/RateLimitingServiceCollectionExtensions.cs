using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Limits;

/// <summary>Per-address budgets for <c>/announce</c> and <c>/scrape</c> (<see cref="TrackerRateLimiter"/>), charged by every HTTP
/// front door itself: Kestrel's and the function app's handlers, the connection fast path and the listener.</summary>
/// <remarks>
/// Not ASP.NET Core middleware: the isolated worker's pipeline runs none of ours, so the charge lives in the handlers and
/// holds under every host. Over budget, a client gets what a tracker client understands: HTTP 200 with a bencoded
/// <c>failure reason</c>, <c>interval</c> (seconds) and <c>retry in</c> (BEP 31: minutes, rounded up); nothing reaches the
/// store. Other paths (sync, admin, stats) have their own authentication and are not counted.
/// </remarks>
public static class RateLimitingServiceCollectionExtensions
{
    public static IServiceCollection AddTrackerRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RateLimitOptions>, RateLimitOptionsValidator>();
        services.AddSingleton<TrackerRateLimiter>();
        return services;
    }
}
