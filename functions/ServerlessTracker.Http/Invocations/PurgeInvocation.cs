using System.Net;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Hosting.Purging;

namespace ServerlessTracker.Http.Invocations;

/// <summary><c>POST /purge</c>: the <c>purge</c> timer trigger as the Functions host delivers it; standalone, only from this machine.</summary>
public static class PurgeInvocation
{
    public const string FunctionName = "purge";

    public static IEndpointRouteBuilder MapPurgeInvocation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + FunctionName, static async (HttpContext context, FunctionsHost host, ClientAddressReader addresses) =>
        {
            // Under the host only the host reaches this port. Standalone the in-process timer purges, and the route
            // answers only the machine itself: a purge walks storage, so the public must not be able to start one.
            if (!host.IsHosted && !IPAddress.IsLoopback(addresses.Read(context)))
            {
                await InvocationEndpoints.RespondAsync(context, StatusCodes.Status401Unauthorized, ["purge invocation refused: not from this machine"]);
                return;
            }

            if (await InvocationEndpoints.ReadAsync(context) is null)
            {
                return;
            }

            var runner = context.RequestServices.GetRequiredService<PurgeRunner>();
            var report = await runner.RunAsync(context.RequestAborted);
            var log = report is { } done ? PurgeRunner.Describe(done) : "purge skipped: the previous run is still going";
            await InvocationEndpoints.RespondAsync(context, StatusCodes.Status200OK, [log]);
        });
        return app;
    }
}
