using ServerlessTracker.Http.Tests.Endpoints;
using ServerlessTracker.Http.Tests.EndToEnd;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Http.Tests.Sync;
using Xunit.Abstractions;

namespace ServerlessTracker.Http.Tests.Storage;

// The HTTP and end-to-end tests once more, with the app on Table Storage (real Azurite).

public sealed class WhenAnnouncingWithTableStorage(AzuriteTables tables) : WhenAnnouncing, IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?> Store => tables.NewStore();
}

public sealed class WhenScrapingWithTableStorage(AzuriteTables tables) : WhenScraping, IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?> Store => tables.NewStore();
}

public sealed class WhenLibtorrentClientsShareATorrentWithTableStorage(ITestOutputHelper output, AzuriteTables tables)
    : WhenLibtorrentClientsShareATorrent(output), IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?> Store => tables.NewStore();
}

/// <summary>Two regions, each on its own Table Storage (its own tables), synced through their webhooks.</summary>
public sealed class WhenRegionsSyncWithTableStorage(AzuriteTables tables) : WhenRegionsSync, IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?>? StoreFor(string region) => tables.NewStore();
}

/// <summary>Operator data over two regions, each on its own Table Storage (its own passkey and list tables).</summary>
public sealed class WhenRegionsShareOperatorDataWithTableStorage(AzuriteTables tables) : WhenRegionsShareOperatorData, IClassFixture<AzuriteTables>
{
    protected override IDictionary<string, string?>? StoreFor(string region) => tables.NewStore();
}
