using ServerlessTracker.Functions.Purge;

namespace ServerlessTracker.Functions.Invocations;

/// <summary><c>POST /purge</c>: the <c>purge</c> timer trigger as the Functions host delivers it.</summary>
public static class PurgeInvocation
{
    public const string FunctionName = "purge";

    public static IEndpointRouteBuilder MapPurgeInvocation(this IEndpointRouteBuilder app)
    {
        app.MapPost("/" + FunctionName, static async (HttpContext context) =>
        {
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
