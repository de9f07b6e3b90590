using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.FunctionApp.Hosting;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary><c>/health</c> (liveness) and <c>/health/ready</c> (readiness: the store answers, sync settings hold), open to
/// probes as self-hosted: Front Door's origin probe asks the readiness route (infra/app/frontdoor-origins.bicep).</summary>
/// <remarks>Anonymous: probes carry no key, and the answers say nothing an outsider could use. A readiness run is shared by
/// the probes of the next second (TrackerReadiness), so probing costs at most one store request a second per instance.</remarks>
public sealed class HealthFunctions(OperatorRoutes routes)
{
    [Function("health")]
    public Task Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);

    [Function("health-ready")]
    public Task Ready([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "health/ready")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);
}
