using System.Text.Json;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Sync.Receiving;

namespace ServerlessTracker.Http.Invocations;

/// <summary><c>POST /sync</c>: the <c>sync</c> Event Grid trigger as the Functions host delivers it.</summary>
/// <remarks>
/// The host puts the event under <c>Data.event</c> (the binding name in sync/function.json) either as a
/// JSON object or as a JSON-encoded string; both are accepted, as is an array. Only the host reaches this
/// route in Azure (it is not an HTTP function); standalone it requires the sync receiver key.
/// </remarks>
public static class SyncInvocation
{
    public const string FunctionName = "sync";

    public static IEndpointRouteBuilder MapSyncInvocation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + FunctionName, static async (HttpContext context, FunctionsHost host, SyncReceiverAuth auth, SyncEventApplier applier) =>
        {
            if (!host.IsHosted && !auth.IsAuthorized(context.Request))
            {
                await InvocationEndpoints.RespondAsync(context, StatusCodes.Status401Unauthorized, ["sync invocation refused: no receiver key"]);
                return;
            }

            if (await InvocationEndpoints.ReadAsync(context) is not { } invocation)
            {
                return;
            }

            var events = invocation.Data?.Values.Select(ToCloudEventJson).FirstOrDefault(json => json is not null) is { } json
                ? SyncEndpoints.ParseCloudEvents(json)
                : null;
            if (events is null)
            {
                await InvocationEndpoints.RespondAsync(context, StatusCodes.Status400BadRequest, ["sync invocation without a CloudEvent in Data"]);
                return;
            }

            var report = await applier.ApplyAsync(events, context.RequestAborted);
            await InvocationEndpoints.RespondAsync(context, StatusCodes.Status200OK, [report.ToString()]);
        });
        return app;
    }

    private static BinaryData? ToCloudEventJson(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object or JsonValueKind.Array => BinaryData.FromString(value.GetRawText()),
        JsonValueKind.String => BinaryData.FromString(value.GetString()!),
        _ => null,
    };
}
