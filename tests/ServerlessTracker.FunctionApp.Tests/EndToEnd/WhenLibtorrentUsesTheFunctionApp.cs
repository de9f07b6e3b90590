using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.EndToEnd;
using ServerlessTracker.Http.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessTracker.FunctionApp.Tests.EndToEnd;

/// <summary>Two real libtorrent sessions find each other only through the function app under the emulated host.</summary>
public sealed class WhenLibtorrentUsesTheFunctionApp(ITestOutputHelper output) : WhenLibtorrentClientsShareATorrent(output)
{
    protected override async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await FunctionAppUnderTest.StartAsync(settings);
}

/// <summary>The same download with the function app on Table Storage (Azurite).</summary>
public sealed class WhenLibtorrentUsesTheFunctionAppOnTableStorage(ITestOutputHelper output, AzuriteTables tables)
    : WhenLibtorrentClientsShareATorrent(output), IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?> Store => tables.NewStore();

    protected override async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await FunctionAppUnderTest.StartAsync(settings);
}
