namespace ServerlessTracker.Http.Endpoints;

/// <summary><c>GET /</c>: the Functions host probes it until the custom handler answers.</summary>
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
