namespace ServerlessTracker.Http.Endpoints;

/// <summary><c>GET /</c> of the self-hosted server: a line that says where to announce (probes belong on /health, HealthEndpoints).</summary>
public static class RootEndpoints
{
    public static IEndpointRouteBuilder MapRoot(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], static context =>
        {
            context.Response.ContentType = "text/plain";
            return context.Response.WriteAsync("ServerlessTracker: announce at /announce, scrape at /scrape\n");
        });
        return app;
    }
}
