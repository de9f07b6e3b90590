using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ServerlessTracker.Hosting.Health;

/// <summary>Runs the readiness checks for <c>/health/ready</c>, sharing one run among the probes that arrive while it runs and for
/// <see cref="Reuse"/> after it: the endpoint is anonymous, and a flood of probes must not become a flood of storage requests.</summary>
public sealed class TrackerReadiness(HealthCheckService checks, TimeProvider time)
{
    /// <summary>How long a finished run answers later probes: at most one store request per second per instance.</summary>
    public static readonly TimeSpan Reuse = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private Task<HealthReport>? _run;
    private long _finishedAt;

    public Task<HealthReport> CheckAsync()
    {
        lock (_gate)
        {
            if (_run is { } run && (!run.IsCompleted || time.GetElapsedTime(Volatile.Read(ref _finishedAt)) < Reuse))
            {
                return run;
            }

            _run = RunAsync();
            return _run;
        }
    }

    private async Task<HealthReport> RunAsync()
    {
        try
        {
            // Not the request's token: other probes share this run. Each check has its own timeout (TrackerHealth.CheckTimeout).
            return await checks.CheckHealthAsync(static registration => registration.Tags.Contains(TrackerHealth.ReadyTag), CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _finishedAt, time.GetTimestamp());
        }
    }
}
