using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.Endpoints;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

// The announce and scrape contract tests through the emulated host once more, with the app on Table Storage (Azurite).

public sealed class WhenAnnouncingThroughTheHostWithTableStorage(AzuriteTables tables) : WhenAnnouncing, IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?> Store => tables.NewStore();

    protected override async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await FunctionAppUnderTest.StartAsync(settings);
}

public sealed class WhenScrapingThroughTheHostWithTableStorage(AzuriteTables tables) : WhenScraping, IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?> Store => tables.NewStore();

    protected override async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await FunctionAppUnderTest.StartAsync(settings);
}
