using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.Endpoints;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>Every announce contract test of the self-hosted server, against the function app under the emulated host.</summary>
public sealed class WhenAnnouncingThroughTheHost : WhenAnnouncing
{
    protected override async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await FunctionAppUnderTest.StartAsync(settings);
}

/// <summary>Every scrape contract test of the self-hosted server, against the function app under the emulated host.</summary>
public sealed class WhenScrapingThroughTheHost : WhenScraping
{
    protected override async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await FunctionAppUnderTest.StartAsync(settings);
}
