using ServerlessTracker.Http.Limits;
using ServerlessTracker.Sync.Receiving;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Http.Endpoints;

/// <summary><c>/sync/events</c>: the webhook other regions' Event Grid subscriptions deliver CloudEvents to.</summary>
/// <remarks>
/// <c>OPTIONS</c> answers the CloudEvents abuse-protection handshake (<c>WebHook-Request-Origin</c> →
/// <c>WebHook-Allowed-Origin</c>); <c>POST</c> takes one event (<c>application/cloudevents+json</c>) or a
/// batch (<c>application/cloudevents-batch+json</c>). Under the Functions host the <c>syncevents</c> function has
/// <c>authLevel: function</c>: the host checks the key in the subscription URL (<c>?code=</c>) before the worker sees the
/// request. Self-hosted, both require the receiver key in the <c>aeg-sas-key</c> header (<see cref="SyncReceiverAuth"/>).
/// </remarks>
public static class SyncEndpoints
{
    public const int MaxDeliveryBytes = CloudEventJson.MaxBatchBytes;

    public static IEndpointRouteBuilder MapSyncWebhook(this IEndpointRouteBuilder app, Hosting.FunctionsHost host)
    {
        var authorizedByHost = host.IsHosted;
        app.MapMethods("/sync/events", [HttpMethods.Options], (HttpContext context, SyncReceiverAuth auth) =>
        {
            if (!authorizedByHost && !auth.IsAuthorized(context.Request))
            {
                return Results.Unauthorized();
            }

            var origin = context.Request.Headers["WebHook-Request-Origin"].ToString();
            context.Response.Headers["WebHook-Allowed-Origin"] = origin.Length > 0 ? origin : "*";
            context.Response.Headers["WebHook-Allowed-Rate"] = "*";
            return Results.Ok();
        });

        app.MapPost("/sync/events", async (HttpContext context, SyncReceiverAuth auth, SyncEventApplier applier) =>
        {
            if (!authorizedByHost && !auth.IsAuthorized(context.Request))
            {
                return Results.Unauthorized();
            }

            var events = await ReadCloudEventsAsync(context.Request, context.RequestAborted);
            if (events is null)
            {
                return Results.Text("expected CloudEvents JSON (one event or a batch)", statusCode: StatusCodes.Status400BadRequest);
            }

            var report = await applier.ApplyAsync(events, context.RequestAborted);
            // Plain text: an object result would need JSON metadata for it, which a Native AOT binary has only when generated.
            return Results.Text(report.ToString());
        });
        return app;
    }

    /// <summary>Parses a CloudEvent or a batch of them; null if the body is neither.</summary>
    public static async Task<IReadOnlyList<SyncCloudEvent>?> ReadCloudEventsAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxDeliveryBytes)
        {
            return null;
        }

        try
        {
            RequestBodyLimit.Raise(request.HttpContext, MaxDeliveryBytes);
            var body = await BinaryData.FromStreamAsync(request.Body, cancellationToken);
            return body.ToMemory().Length > MaxDeliveryBytes ? null : ParseCloudEvents(body);
        }
        catch (BadHttpRequestException)
        {
            return null;
        }
    }

    public static IReadOnlyList<SyncCloudEvent>? ParseCloudEvents(ReadOnlyMemory<byte> json) => CloudEventJson.Decode(json);
}
