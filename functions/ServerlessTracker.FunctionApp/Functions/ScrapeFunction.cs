using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.Http.Endpoints;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary><c>GET /scrape</c> and <c>/scrape/{passkey}</c> (BEP 48): counts for the named hashes, or the full scrape.</summary>
/// <remarks>Like <see cref="AnnounceFunction"/>: raw query bytes in, bytes written, nothing returned.</remarks>
public sealed class ScrapeFunction(ScrapeHandler handler)
{
    [Function("scrape")]
    public Task Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "scrape/{*passkey}")] HttpRequest request) =>
        handler.HandleAsync(request.HttpContext);
}
