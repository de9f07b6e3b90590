using System.Net;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Hosting;
using ServerlessTracker.Hosting.Purging;
using ServerlessTracker.Hosting.Settings;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Limits;
using ServerlessTracker.Http.Listener;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Registers the tracker's options, store, handlers and background work.</summary>
public static class TrackerServiceCollectionExtensions
{
    /// <summary>The tracker core (<see cref="TrackerCoreServiceCollectionExtensions.AddTrackerCore"/>) and the HTTP front door both
    /// hosts share: HTTP options, client address, the announce and scrape adapters and endpoints, operator pages, telemetry.</summary>
    public static IServiceCollection AddTracker(this IServiceCollection services, IConfiguration configuration, FunctionsHost host)
    {
        services.AddSingleton(host);
        services.AddTrackerCore(configuration, host.IsHosted ? TrackerHostKind.FunctionApp : TrackerHostKind.SelfHosted);

        services.AddSettingsSection<HttpTrackerOptions>(HttpTrackerOptions.Section);
        services.AddSettingsSection<NetworkOptions>(NetworkOptions.Section);
        services.AddSettingsSection<TrackerListenerOptions>(TrackerListenerOptions.Section);
        services.AddSettingsSection<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSettingsSection<MetricsOptions>(MetricsOptions.Section);
        services.AddSettingsSection<AdminOptions>(AdminOptions.Section);
        services.AddSettingsSection<StatsOptions>(StatsOptions.Section);
        services.AddOptions<HttpTrackerOptions>().Bind(configuration.GetSection(HttpTrackerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HttpTrackerOptions>, HttpTrackerOptionsValidator>();
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section))
            .Validate(o => { TrustedProxies.Parse(o.TrustedProxies, out var invalid); return invalid.Count == 0; }, "Tracker:Network:TrustedProxies holds an entry that is neither an address nor a CIDR range.")
            .ValidateOnStart();
        services.AddSingleton(sp => BuildTrustedProxies(sp.GetRequiredService<IOptions<NetworkOptions>>().Value, host));
        services.AddSingleton<ObjectPool<AnnounceResult>>(sp =>
            new DefaultObjectPool<AnnounceResult>(new AnnounceResultPolicy(sp.GetRequiredService<SwarmSettings>().MaxNumWant), Environment.ProcessorCount * 64));

        services.AddSingleton<ObjectPool<ResponseBuffer>>(new DefaultObjectPool<ResponseBuffer>(new ResponseBufferPolicy(), Environment.ProcessorCount * 64));
        services.AddSingleton<ClientAddressReader>();
        services.AddSingleton<AnnounceService>();
        services.AddSingleton<ScrapeService>();
        services.AddSingleton<FastPathCounters>();
        services.AddSingleton<FastPathServer>();
        services.AddTrackerListener(configuration);
        services.AddSingleton<AnnounceHandler>();
        services.AddSingleton<ScrapeHandler>();
        services.AddSingleton<FullScrapeCache>();
        services.AddSingleton<FullScrapeSlots>();
        AddFullScrapeBlob(services, configuration);

        services.AddTrackerRateLimiting(configuration);
        services.AddTrackerTelemetry(configuration);
        services.AddTrackerOperator(configuration);
        return services;
    }

    /// <summary>The published full scrape (<c>Tracker:FullScrape</c>): when configured, written after each purge on the instance
    /// that purges and served by every instance; otherwise each instance keeps building it on demand.</summary>
    private static void AddFullScrapeBlob(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettingsSection<FullScrapeBlobOptions>(FullScrapeBlobOptions.Section);
        services.AddSingleton<FullScrapeMetrics>();
        if (!FullScrapeBlobOptions.IsConfigured(configuration))
        {
            return;
        }

        services.AddOptions<FullScrapeBlobOptions>().Bind(configuration.GetSection(FullScrapeBlobOptions.Section))
            .Validate(_ => TableStoreOptions.IsConfigured(configuration),
                "Tracker:FullScrape needs the Table store (Tracker:Tables:ConnectionString or ServiceUri): an in-memory store lists one instance's swarms, not the tracker's.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<FullScrapeBlobOptions>, FullScrapeBlobOptionsValidator>();
        services.AddSingleton<IFullScrapeBlob>(static sp => new AzureFullScrapeBlob(
            sp.GetRequiredService<IOptions<FullScrapeBlobOptions>>().Value, sp.GetRequiredService<IOptions<TableStoreOptions>>().Value));
        services.AddSingleton<FullScrapePublisher>();
        services.AddSingleton<IPurgeFollowUp>(static sp => sp.GetRequiredService<FullScrapePublisher>());
    }

    private static TrustedProxies BuildTrustedProxies(NetworkOptions options, FunctionsHost host)
    {
        IEnumerable<string> entries = options.TrustedProxies;
        if (host.IsHosted)
        {
            // The Functions host proxies every request from the loopback.
            entries = entries.Concat([IPAddress.Loopback.ToString(), IPAddress.IPv6Loopback.ToString()]);
        }

        return TrustedProxies.Parse(entries, out _);
    }

    private sealed class AnnounceResultPolicy(int capacity) : PooledObjectPolicy<AnnounceResult>
    {
        public override AnnounceResult Create() => new(capacity);

        public override bool Return(AnnounceResult obj)
        {
            obj.Reset();
            return true;
        }
    }
}
