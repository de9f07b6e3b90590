using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.FunctionApp.Hosting;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary>The stats page (<c>/stats</c>, <c>/stats/json</c>) and its JSON (<c>/stats.json</c>), open or behind
/// <c>Tracker:Stats:Token</c> as self-hosted.</summary>
public sealed class StatsFunctions(OperatorRoutes routes)
{
    [Function("stats")]
    public Task Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "stats/{*format}")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);

    [Function("stats-json")]
    public Task Json([HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = "stats.json")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);
}
