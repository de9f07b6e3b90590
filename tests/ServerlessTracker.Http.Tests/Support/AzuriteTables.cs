namespace ServerlessTracker.Http.Tests.Support;

/// <summary>One Azurite for a test class; each tracker started from it gets tables of its own.</summary>
public sealed class AzuriteTables : IAsyncLifetime
{
    private AzuriteServer? _server;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Configuration that puts the tracker on Table Storage (fresh tables), as the app is configured in Azure.</summary>
    public IDictionary<string, string?> NewStore() => _server!.TrackerTables();
}

/// <summary>One Azurite with its Blob service for a test class; each tracker started from it gets tables of its own, and
/// <see cref="NewBlob"/> a container of its own for the published full scrape.</summary>
public sealed class AzuriteBlobs : IAsyncLifetime
{
    private AzuriteServer? _server;

    public AzuriteServer Server => _server!;

    public async Task InitializeAsync() => _server = await AzuriteServer.StartAsync(blobs: true);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Configuration that puts the tracker on Table Storage (fresh tables), as the app is configured in Azure.</summary>
    public IDictionary<string, string?> NewStore() => _server!.TrackerTables();

    /// <summary>Configuration that publishes the full scrape to a fresh container.</summary>
    public IDictionary<string, string?> NewBlob() => _server!.FullScrapeBlob();
}
