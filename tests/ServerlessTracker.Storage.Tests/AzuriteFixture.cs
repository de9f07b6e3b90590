using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Storage.Tests;

/// <summary>One Azurite shared by the test classes of the collection; each test gets tables of its own.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Options over fresh, uniquely named tables; <paramref name="configure"/> adjusts them.</summary>
    public TableStoreOptions NewTables(Action<TableStoreOptions>? configure = null) => Tables.New(Server, configure);
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "Azurite";
}

/// <summary>Builds stores, options and commands for the tests.</summary>
public static class Tables
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    public static TableStoreOptions New(AzuriteServer server, Action<TableStoreOptions>? configure = null)
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        var options = new TableStoreOptions
        {
            ConnectionString = server.ConnectionString,
            SwarmsTable = "swarms" + suffix,
            IndexTable = "index" + suffix,
            StatsTable = "stats" + suffix,
        };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Another store instance over the same tables, as a second function instance would be.</summary>
    public static TableSwarmStore Store(TableStoreOptions options, TimeProvider time, SwarmSettings? settings = null, int seed = 7) =>
        TableSwarmStore.Create(Clone(options), settings ?? new SwarmSettings(), time, seed: seed);

    public static FakeTimeProvider Clock() => new(Start);

    private static TableStoreOptions Clone(TableStoreOptions options) => new()
    {
        ConnectionString = options.ConnectionString,
        SwarmsTable = options.SwarmsTable,
        IndexTable = options.IndexTable,
        StatsTable = options.StatsTable,
        CacheStalenessMilliseconds = options.CacheStalenessMilliseconds,
        CacheMaxSwarms = options.CacheMaxSwarms,
        CacheMaxBytes = options.CacheMaxBytes,
        FullReadMaxRows = options.FullReadMaxRows,
        WindowRows = options.WindowRows,
        LargeSwarmRecountSeconds = options.LargeSwarmRecountSeconds,
        MaxBatchSize = options.MaxBatchSize,
        GroupCommitDelayMilliseconds = options.GroupCommitDelayMilliseconds,
        MaxRetries = options.MaxRetries,
        RetryDelayMilliseconds = options.RetryDelayMilliseconds,
        RequestTimeoutMilliseconds = options.RequestTimeoutMilliseconds,
        RetryBudgetMilliseconds = options.RetryBudgetMilliseconds,
        BreakSeconds = options.BreakSeconds,
        RetryInSeconds = options.RetryInSeconds,
        PurgeBucketSeconds = options.PurgeBucketSeconds,
        PurgeParallelism = options.PurgeParallelism,
        PurgeMaxSwarmsPerRun = options.PurgeMaxSwarmsPerRun,
        InstanceId = options.InstanceId,
    };
}
