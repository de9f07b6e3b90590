using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.FunctionApp.Hosting;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary><c>GET /metrics</c> (Prometheus text format, when <c>Tracker:Metrics:Prometheus</c> is on), behind a function key.</summary>
public sealed class MetricsFunction(OperatorRoutes routes)
{
    [Function("metrics")]
    public Task Run([HttpTrigger(AuthorizationLevel.Function, "get", Route = "metrics")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);
}
