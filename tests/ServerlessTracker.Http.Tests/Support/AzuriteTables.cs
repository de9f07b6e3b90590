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
