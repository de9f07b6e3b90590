using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Hosting.Health;
using ServerlessTracker.Hosting.Purging;
using ServerlessTracker.Hosting.Settings;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Storage.Operator;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Hosting;

/// <summary>The one registration of the tracker core that every host calls before its own front door.</summary>
public static class TrackerCoreServiceCollectionExtensions
{
    public const string SwarmSection = "Tracker:Swarm";

    /// <summary>Registers the swarm rules (<c>Tracker:Swarm</c>) and the swarm-creation budget (<c>Tracker:SwarmCreation</c>), the store (Table Storage when <c>Tracker:Tables:*</c> is set,
    /// in memory otherwise; a store registered before this call wins), the policy, the announce and scrape use cases, the shared list of every swarm (<c>Tracker:Listing</c>), sync
    /// (<c>Tracker:Sync</c>), the purge (<c>Tracker:Purge</c>) and the readiness checks (<see cref="TrackerHealth"/>).</summary>
    public static IServiceCollection AddTrackerCore(this IServiceCollection services, IConfiguration configuration, TrackerHostKind host)
    {
        services.TryAddSingleton(TimeProvider.System);
        AddCoreSettingsSections(services);
        services.AddOptions<SwarmSettings>().Bind(configuration.GetSection(SwarmSection)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SwarmSettings>, SwarmSettingsValidator>();
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<SwarmSettings>>().Value);
        services.TryAddSingleton<ISwarmStore>(static sp => new InMemorySwarmStore(sp.GetRequiredService<SwarmSettings>(), sp.GetRequiredService<TimeProvider>()));
        services.AddTableSwarmStore(configuration);

        // The policy's settings and operator stores (passkeys, lists), and the tracker's meter.
        services.AddAnnouncePolicy(configuration);
        services.AddOptions<SwarmCreationSettings>().Bind(configuration.GetSection(SwarmCreationSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SwarmCreationSettings>, SwarmCreationSettingsValidator>();
        if (configuration.GetSection(SwarmCreationSettings.Section).Get<SwarmCreationSettings>() is not { PerAddress: 0 })
        {
            // Unregistered when PerAddress is 0: the use case then charges nothing.
            services.TryAddSingleton(static sp => new SwarmCreationBudgets(sp.GetRequiredService<IOptions<SwarmCreationSettings>>().Value, sp.GetRequiredService<TimeProvider>()));
        }

        services.AddSingleton<AnnounceUseCase>();
        services.AddSingleton<ScrapeUseCase>();
        services.AddOptions<SwarmListingSettings>().Bind(configuration.GetSection(SwarmListingSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SwarmListingSettings>, SwarmListingSettingsValidator>();
        services.AddSingleton(static sp => new SwarmListing(
            sp.GetRequiredService<ISwarmStore>(), sp.GetRequiredService<IOptions<SwarmListingSettings>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(static sp => new TrackerCore(sp.GetRequiredService<AnnounceUseCase>(), sp.GetRequiredService<ScrapeUseCase>()));

        services.AddOptions<PurgeOptions>().Bind(configuration.GetSection(PurgeOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PurgeOptions>, PurgeOptionsValidator>();
        services.AddSingleton<PurgeRunner>();
        if (RunsPurgeInProcess(configuration, host))
        {
            services.AddHostedService<PurgeTimer>();
        }

        // Last: sync wraps whichever store and operator stores were registered above.
        services.AddTrackerSync(configuration);
        services.AddTrackerHealthChecks(configuration);
        return services;
    }

    // The sections the core's options classes read; a host adds its own, and any other key under Tracker: fails the start.
    private static void AddCoreSettingsSections(IServiceCollection services)
    {
        services.AddSettingsSection<RegionOptions>("Tracker");
        services.AddSettingsSection<SwarmSettings>(SwarmSection);
        services.AddSettingsSection<PurgeOptions>(PurgeOptions.Section);
        services.AddSettingsSection<TableStoreOptions>(TableStoreOptions.Section);
        services.AddSettingsSection<OperatorTablesOptions>(TableStoreOptions.Section);
        services.AddSettingsSection<PrivateModeSettings>(PrivateModeSettings.Section);
        services.AddSettingsSection<AccessSettings>(AccessSettings.Section);
        services.AddSettingsSection<LeechControlSettings>(LeechControlSettings.Section);
        services.AddSettingsSection<PolicySettings>(PolicySettings.Section);
        services.AddSettingsSection<SyncOptions>(SyncOptions.Section);
        services.AddSettingsSection<SwarmCreationSettings>(SwarmCreationSettings.Section);
        services.AddSettingsSection<SwarmListingSettings>(SwarmListingSettings.Section);
    }

    /// <summary><c>Tracker:Purge:InProcessTimer</c>, or the host's default: the self-hosted server purges itself; under the
    /// Functions host the <c>purge</c> timer trigger does; the relay purges an in-memory store, never the shared Table store.</summary>
    public static bool RunsPurgeInProcess(IConfiguration configuration, TrackerHostKind host) =>
        configuration.GetSection(PurgeOptions.Section).GetValue<bool?>(nameof(PurgeOptions.InProcessTimer)) ?? host switch
        {
            TrackerHostKind.SelfHosted => true,
            TrackerHostKind.UdpRelay => !TableStoreOptions.IsConfigured(configuration),
            _ => false,
        };
}
