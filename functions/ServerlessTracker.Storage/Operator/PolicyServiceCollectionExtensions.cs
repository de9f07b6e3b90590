using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Storage.Operator;

/// <summary>Registers the announce policy for any host (the function app, the UDP relay): its settings, its stores
/// (Table Storage when <c>Tracker:Tables:*</c> is configured, in memory otherwise), the tracker's meter and the upkeep.</summary>
/// <remarks>It lives here, beside the Table stores, because both hosts reference this project and the policy's stores.</remarks>
public static class PolicyServiceCollectionExtensions
{
    public static IServiceCollection AddAnnouncePolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivateModeSettings>().Bind(configuration.GetSection(PrivateModeSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PrivateModeSettings>, PrivateModeSettingsValidator>();
        services.AddOptions<AccessSettings>().Bind(configuration.GetSection(AccessSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccessSettings>, AccessSettingsValidator>();
        services.AddOptions<LeechControlSettings>().Bind(configuration.GetSection(LeechControlSettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LeechControlSettings>, LeechControlSettingsValidator>();
        services.AddOptions<PolicySettings>().Bind(configuration.GetSection(PolicySettings.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PolicySettings>, PolicySettingsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new TrackerMetrics(sp.GetService<IMeterFactory>()?.Create(TrackerMetrics.MeterName) ?? new Meter(TrackerMetrics.MeterName)));
        services.AddTableOperatorStores(configuration);
        services.TryAddSingleton<IPasskeyStore, InMemoryPasskeyStore>();
        services.TryAddSingleton<IInfoHashListStore, InMemoryInfoHashListStore>();
        services.TryAddSingleton<IIpAllowListStore, InMemoryIpAllowListStore>();
        services.TryAddSingleton<IClientListStore, InMemoryClientListStore>();
        services.TryAddSingleton<ITorrentFactorStore, InMemoryTorrentFactorStore>();

        // Figures are counted per origin, a slot of the region that one process at a time leases: rows per passkey follow the
        // processes a region runs at once, are summed on read and synced between regions.
        var region = configuration["Tracker:Region"] is { Length: > 0 } named ? named : "local";
        services.AddSingleton(sp =>
        {
            var policy = sp.GetRequiredService<IOptions<PolicySettings>>().Value;
            var settings = new PasskeyTableSettings(region, TimeSpan.FromSeconds(policy.FiguresLeaseSeconds), TimeSpan.FromSeconds(policy.FullRefreshSeconds));
            return new PasskeyTable(sp.GetRequiredService<IPasskeyStore>(), sp.GetRequiredService<TimeProvider>(), settings);
        });
        services.AddSingleton(sp => new InfoHashList(sp.GetRequiredService<IInfoHashListStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new IpAllowList(sp.GetRequiredService<IIpAllowListStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new ClientList(sp.GetRequiredService<IClientListStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new TorrentFactors(sp.GetRequiredService<ITorrentFactorStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AnnouncePolicy(
            sp.GetRequiredService<IOptions<PrivateModeSettings>>().Value,
            sp.GetRequiredService<IOptions<AccessSettings>>().Value,
            sp.GetRequiredService<IOptions<LeechControlSettings>>().Value,
            sp.GetRequiredService<PasskeyTable>(),
            sp.GetRequiredService<InfoHashList>(),
            sp.GetRequiredService<IpAllowList>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ClientList>(),
            sp.GetRequiredService<TorrentFactors>()));
        services.AddHostedService<PolicyMaintenanceService>();
        return services;
    }
}
