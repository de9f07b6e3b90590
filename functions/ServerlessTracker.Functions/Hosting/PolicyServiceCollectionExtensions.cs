using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Functions.Policy;

namespace ServerlessTracker.Functions.Hosting;

/// <summary>Registers the announce policy, its settings, its operator-data stores and their upkeep.</summary>
public static class PolicyServiceCollectionExtensions
{
    /// <remarks>Stores are registered with TryAdd: a Table Storage registration made before this call wins over the in-memory default.</remarks>
    public static IServiceCollection AddTrackerPolicy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PrivateModeSettings>().Bind(configuration.GetSection(PrivateModeSettings.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccessSettings>().Bind(configuration.GetSection(AccessSettings.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LeechControlSettings>().Bind(configuration.GetSection(LeechControlSettings.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PolicySettings>().Bind(configuration.GetSection(PolicySettings.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton<IPasskeyStore, InMemoryPasskeyStore>();
        services.TryAddSingleton<IInfoHashListStore, InMemoryInfoHashListStore>();
        services.TryAddSingleton<IIpAllowListStore, InMemoryIpAllowListStore>();

        services.AddSingleton(sp => new PasskeyTable(sp.GetRequiredService<IPasskeyStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new InfoHashList(sp.GetRequiredService<IInfoHashListStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new IpAllowList(sp.GetRequiredService<IIpAllowListStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AnnouncePolicy(
            sp.GetRequiredService<IOptions<PrivateModeSettings>>().Value,
            sp.GetRequiredService<IOptions<AccessSettings>>().Value,
            sp.GetRequiredService<IOptions<LeechControlSettings>>().Value,
            sp.GetRequiredService<PasskeyTable>(),
            sp.GetRequiredService<InfoHashList>(),
            sp.GetRequiredService<IpAllowList>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<PolicyMaintenanceService>();
        return services;
    }
}
