using Azure;
using ServerlessTracker.Storage.Diagnostics;

namespace ServerlessTracker.Storage.Tests;

/// <summary>The readiness probe (<see cref="TableSwarmStore.ProbeAsync"/>): what one costs, and tables that went missing.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenProbingTheStore(AzuriteFixture azurite)
{
    [Fact]
    public async Task AProbeCostsOneTransactionOnceTheTablesExist()
    {
        var metrics = new StorageMetrics();
        using var store = TableSwarmStore.Create(azurite.NewTables(), new Engine.SwarmSettings(), Tables.Clock(), metrics);
        await store.ProbeAsync(CancellationToken.None);
        var before = metrics.Snapshot().Transactions;

        await store.ProbeAsync(CancellationToken.None);

        Assert.Equal(1, metrics.Snapshot().Transactions - before);
    }

    [Fact]
    public async Task TablesDeletedSinceTheStartAreCreatedAgain()
    {
        var options = azurite.NewTables();
        using var store = TableSwarmStore.Create(options, new Engine.SwarmSettings(), Tables.Clock());
        await store.ProbeAsync(CancellationToken.None);
        var service = new Azure.Data.Tables.TableServiceClient(options.ConnectionString);
        await service.DeleteTableAsync(options.IndexTable);
        await service.DeleteTableAsync(options.SwarmsTable);

        await store.ProbeAsync(CancellationToken.None);

        Assert.NotNull((await service.GetTableClient(options.IndexTable).GetAccessPoliciesAsync()).Value);
    }

    [Fact]
    public async Task WithoutCreatingTablesAMissingTableIsAFailure()
    {
        using var store = TableSwarmStore.Create(azurite.NewTables(o => o.CreateTables = false), new Engine.SwarmSettings(), Tables.Clock());

        var missing = await Assert.ThrowsAsync<RequestFailedException>(() => store.ProbeAsync(CancellationToken.None));

        Assert.Equal("TableNotFound", missing.ErrorCode);
    }
}
