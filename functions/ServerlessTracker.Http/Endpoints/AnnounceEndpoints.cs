namespace ServerlessTracker.Http.Endpoints;

/// <summary>Maps <c>/announce</c> and <c>/announce/{passkey}</c>.</summary>
public static class AnnounceEndpoints
{
    public static IEndpointRouteBuilder MapAnnounce(this IEndpointRouteBuilder app)
    {
        var handler = app.ServiceProvider.GetRequiredService<AnnounceHandler>();
        app.Map("/announce", handler.HandleAsync);
        app.Map("/announce/{**passkey}", handler.HandleAsync);
        return app;
    }
}
