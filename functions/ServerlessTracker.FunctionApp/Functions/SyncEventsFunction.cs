using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.FunctionApp.Hosting;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary>The Event Grid webhook other regions deliver their peer changes to (CloudEvents 1.0, one event or a batch),
/// with the abuse-protection handshake on <c>OPTIONS</c>.</summary>
/// <remarks>The isolated worker has no Event Grid trigger in our package feed, and a webhook needs none: the subscription URL
/// carries this function's key (<c>?code=</c>, tools/hooks/sync-subscriptions.sh), which the host checks.</remarks>
public sealed class SyncEventsFunction(OperatorRoutes routes)
{
    [Function("syncevents")]
    public Task Run([HttpTrigger(AuthorizationLevel.Function, "post", "options", Route = "sync/events")] HttpRequest request) =>
        routes.DispatchAsync(request.HttpContext);
}
