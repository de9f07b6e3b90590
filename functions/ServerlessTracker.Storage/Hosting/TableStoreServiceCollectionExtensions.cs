using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Storage.Diagnostics;

namespace ServerlessTracker.Storage.Hosting;

/// <summary>Registers the Table store as the app's <see cref="ISwarmStore"/>.</summary>
public static class TableStoreServiceCollectionExtensions
{
    /// <summary>When <c>Tracker:Tables:ConnectionString</c> or <c>Tracker:Tables:ServiceUri</c> is set, replaces the registered
    /// <see cref="ISwarmStore"/> with the Table store (options validated at start, tables created at start); otherwise
    /// leaves the services alone. Needs <see cref="SwarmSettings"/> and <see cref="TimeProvider"/> registered.</summary>
    public static IServiceCollection AddTableSwarmStore(this IServiceCollection services, IConfiguration configuration)
    {
        if (!TableStoreOptions.IsConfigured(configuration))
        {
            return services;
        }

        services.AddTableAccount(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new TableSwarmStore(
            sp.GetRequiredService<TableAccount>().Service,
            sp.GetRequiredService<IOptions<TableStoreOptions>>().Value,
            sp.GetRequiredService<SwarmSettings>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<StorageMetrics>(),
            sp.GetService<ILogger<TableSwarmStore>>()));
        services.RemoveAll<ISwarmStore>();
        services.AddSingleton<ISwarmStore>(sp => sp.GetRequiredService<TableSwarmStore>());
        services.AddHostedService<TableStoreInitializer>();
        services.TryAddSingleton<IStatsHistoryStore>(static sp => new History.TableStatsHistoryStore(
            sp.GetRequiredService<TableAccount>().Service,
            sp.GetRequiredService<IOptions<TableStoreOptions>>().Value.StatsTable,
            sp.GetRequiredService<TableSwarmStore>().InstanceId,
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}

/// <summary>The storage account both the swarm store and the operator stores use: one client, one pipeline, one transaction counter.</summary>
internal sealed record TableAccount(Azure.Data.Tables.TableServiceClient Service);

/// <summary>Registers <see cref="TableAccount"/> once, with the options and metrics it needs.</summary>
internal static class TableAccountServiceCollectionExtensions
{
    public static void AddTableAccount(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(TableAccount)))
        {
            return;
        }

        services.AddOptions<TableStoreOptions>().Bind(configuration.GetSection(TableStoreOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TableStoreOptions>, TableStoreOptionsValidator>();
        services.TryAddSingleton(sp => new StorageMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new TableAccount(TableClients.CreateService(
            sp.GetRequiredService<IOptions<TableStoreOptions>>().Value, sp.GetRequiredService<StorageMetrics>())));
    }
}

/// <summary>Creates the tables at start; when storage is down then, the app starts anyway and the store retries on use.</summary>
internal sealed partial class TableStoreInitializer(TableSwarmStore store, ILogger<TableStoreInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
            LogReady(logger, store.InstanceId);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogNotReady(logger, exception.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Table store ready (instance {Instance})")]
    private static partial void LogReady(ILogger logger, string instance);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Table storage not reachable at start ({Reason}); announces are refused with a retry hint until it is")]
    private static partial void LogNotReady(ILogger logger, string reason);
}
