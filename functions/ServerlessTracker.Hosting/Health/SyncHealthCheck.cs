using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Hosting.Health;

/// <summary>Readiness of sync publishing (registered only when <c>Tracker:Sync:TopicEndpoint</c> is set): the topic's settings are
/// usable. It sends nothing to Event Grid: a topic that is down delays other regions, it does not stop this one serving.</summary>
internal sealed class SyncHealthCheck(IOptions<SyncOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken) =>
        Task.FromResult(Check(options.Value));

    internal static HealthCheckResult Check(SyncOptions sync)
    {
        if (!Uri.TryCreate(sync.TopicEndpoint, UriKind.Absolute, out var topic) || (topic.Scheme != Uri.UriSchemeHttps && topic.Scheme != Uri.UriSchemeHttp))
        {
            return HealthCheckResult.Unhealthy("Tracker:Sync:TopicEndpoint is not an http(s) URI");
        }

        if (!string.IsNullOrEmpty(sync.TopicKey) && sync.TopicKey.Length < SyncOptions.MinKeyLength)
        {
            return HealthCheckResult.Unhealthy("Tracker:Sync:TopicKey is too short");
        }

        return HealthCheckResult.Healthy(string.IsNullOrEmpty(sync.TopicKey) ? "topic set, Entra ID" : "topic set, access key");
    }
}
