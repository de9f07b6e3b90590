using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.Http.Endpoints;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary><c>GET /announce</c> and <c>/announce/{passkey}</c> (BEP 3, 23, 7, 24): the hot path.</summary>
/// <remarks>Takes <see cref="HttpRequest"/> (the raw query string, never re-encoded), writes the bencoded answer to the
/// response and returns <see cref="Task"/>: a returned value would also be serialized into the gRPC reply.</remarks>
public sealed class AnnounceFunction(AnnounceHandler handler)
{
    [Function("announce")]
    public Task Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "announce/{*passkey}")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext);
}
