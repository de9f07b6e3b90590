using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.FunctionApp.Hosting;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary>The admin API at <c>/manage/...</c>: the host reserves <c>/admin</c> for its own API.</summary>
/// <remarks>The host checks the function key before the request reaches the worker; a configured <c>Tracker:Admin:Token</c>
/// is required on top of it (AdminAuthorization).</remarks>
public sealed class ManageFunction(OperatorRoutes routes)
{
    [Function("manage")]
    public Task Run([HttpTrigger(AuthorizationLevel.Function, "get", "post", "delete", Route = "manage/{*path}")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);
}
