namespace ServerlessTracker.Http.Endpoints;

/// <summary>Maps <c>/scrape</c> and <c>/scrape/{passkey}</c>.</summary>
public static class ScrapeEndpoints
{
    public static IEndpointRouteBuilder MapScrape(this IEndpointRouteBuilder app)
    {
        var handler = app.ServiceProvider.GetRequiredService<ScrapeHandler>();
        app.Map("/scrape", handler.HandleAsync);
        app.Map("/scrape/{**passkey}", handler.HandleAsync);
        return app;
    }
}
