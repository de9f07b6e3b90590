using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using ServerlessTracker.Hosting.Health;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.Hosting;

namespace ServerlessTracker.FunctionApp.Hosting;

/// <summary>The self-hosted server's operator routes (health, stats, metrics, admin API, sync webhook), run inside the functions that
/// claim their paths: one route table and one set of handlers for both hosts.</summary>
/// <remarks>
/// The worker's ASP.NET Core pipeline is fixed and reaches only function endpoints, so each operator function hands its
/// request to this small pipeline of its own (routing and the same <c>Map*</c> calls as the self-hosted server). Its
/// endpoints live in their own route builder: the worker's router never matches them, only these functions do.
/// </remarks>
public sealed class OperatorRoutes
{
    private readonly RequestDelegate _pipeline;

    public OperatorRoutes(IServiceProvider services)
    {
        var app = new ApplicationBuilder(services);
        app.UseRouting();
        app.UseEndpoints(static endpoints =>
        {
            endpoints.MapTrackerHealth();
            endpoints.MapStats();
            endpoints.MapTrackerMetrics();
            endpoints.MapAdmin();
            endpoints.MapSyncWebhook(FunctionsHost.Worker);
        });
        app.Run(static context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        _pipeline = app.Build();
    }

    /// <summary>Serves a request a function received, as the self-hosted server would serve the same path.</summary>
    public Task DispatchAsync(HttpContext context)
    {
        // The worker's router chose the function's endpoint; this pipeline routes again among the operator endpoints.
        context.SetEndpoint(null);
        context.Request.RouteValues.Clear();
        return _pipeline(context);
    }
}
