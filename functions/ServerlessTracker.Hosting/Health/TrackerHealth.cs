using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServerlessTracker.Storage;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Hosting.Health;

/// <summary>The readiness checks, one per dependency, registered once for every host (<see cref="TrackerCoreServiceCollectionExtensions.AddTrackerCore"/>):
/// <c>store</c> always (a real Table request, or in memory: always ready) and <c>sync</c> when a topic is configured.</summary>
public static class TrackerHealth
{
    /// <summary>The tag of the checks <c>/health/ready</c> runs.</summary>
    public const string ReadyTag = "ready";

    /// <summary>How long one check may take before it counts as failed. Short: a probe that waits on a dead store tells the
    /// prober nothing more than one that gives up, and probers (Front Door, container platforms) have timeouts of their own.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);

    public static IServiceCollection AddTrackerHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks();
        if (TableStoreOptions.IsConfigured(configuration))
        {
            checks.Add(new HealthCheckRegistration(
                "store", static sp => new TableStoreHealthCheck(sp.GetRequiredService<TableSwarmStore>()), HealthStatus.Unhealthy, [ReadyTag], CheckTimeout));
        }
        else
        {
            checks.AddCheck("store", static () => HealthCheckResult.Healthy("in memory"), [ReadyTag]);
        }

        if ((configuration.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions()).PublishEnabled)
        {
            checks.AddCheck<SyncHealthCheck>("sync", HealthStatus.Unhealthy, [ReadyTag], CheckTimeout);
        }

        services.TryAddSingleton<TrackerReadiness>();
        return services;
    }
}
