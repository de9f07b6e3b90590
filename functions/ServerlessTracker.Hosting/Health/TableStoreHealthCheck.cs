using Azure;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using ServerlessTracker.Storage;

namespace ServerlessTracker.Hosting.Health;

/// <summary>Readiness of the Table store: one real request (<see cref="TableSwarmStore.ProbeAsync"/>) within the check's timeout.</summary>
/// <remarks>The reason it reports is served to anyone who asks (the endpoint is anonymous), so it names a status code or an
/// exception type, never an exception's message (which may hold the account's address); the exception goes to the log.</remarks>
internal sealed class TableStoreHealthCheck(TableSwarmStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken)
    {
        try
        {
            await store.ProbeAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy("Table Storage answered");
        }
        catch (OperationCanceledException exception) when (cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Table Storage did not answer within {TrackerHealth.CheckTimeout.TotalSeconds:0} s", exception);
        }
        catch (Exception exception)
        {
            return HealthCheckResult.Unhealthy(Reason(exception), exception);
        }
    }

    internal static string Reason(Exception exception)
    {
        // The SDK's retry policy wraps each attempt's failure in an AggregateException: the last attempt says the most.
        while (exception is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            exception = aggregate.InnerExceptions[^1];
        }

        return exception switch
        {
            RequestFailedException { Status: > 0 } answered =>
                $"Table Storage answered {answered.Status}" + (string.IsNullOrEmpty(answered.ErrorCode) ? "" : " " + answered.ErrorCode),
            RequestFailedException { InnerException: { } cause } => $"Table Storage not reachable ({cause.GetType().Name})",
            _ => $"Table Storage not reachable ({exception.GetType().Name})",
        };
    }
}
