using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Storage.Operator;

namespace ServerlessTracker.Storage.Hosting;

/// <summary>Registers the Table Storage stores for operator data (passkeys, info-hash and client lists, torrent factors, IP allow-list).</summary>
public static class OperatorStoreServiceCollectionExtensions
{
    /// <summary>When the Table store is configured (<c>Tracker:Tables:ConnectionString</c> or <c>ServiceUri</c>), registers the
    /// operator stores over the same account, client setup and transaction counter; otherwise leaves the in-memory defaults.
    /// Call before the policy is registered (it registers its in-memory stores only when none is).</summary>
    public static IServiceCollection AddTableOperatorStores(this IServiceCollection services, IConfiguration configuration)
    {
        if (!TableStoreOptions.IsConfigured(configuration))
        {
            return services;
        }

        services.AddTableAccount(configuration);
        services.AddOptions<OperatorTablesOptions>().Bind(configuration.GetSection(TableStoreOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperatorTablesOptions>, OperatorTablesOptionsValidator>();
        services.RemoveAll<IPasskeyStore>();
        services.RemoveAll<IInfoHashListStore>();
        services.RemoveAll<IIpAllowListStore>();
        services.RemoveAll<IClientListStore>();
        services.RemoveAll<ITorrentFactorStore>();
        services.AddSingleton<IPasskeyStore>(sp => new TablePasskeyStore(sp.GetRequiredService<TableAccount>().Service, Options(sp)));
        services.AddSingleton<IInfoHashListStore>(sp => new TableInfoHashListStore(sp.GetRequiredService<TableAccount>().Service, Options(sp)));
        services.AddSingleton<IIpAllowListStore>(sp => new TableIpAllowListStore(sp.GetRequiredService<TableAccount>().Service, Options(sp)));
        services.AddSingleton<IClientListStore>(sp => new TableClientListStore(sp.GetRequiredService<TableAccount>().Service, Options(sp)));
        services.AddSingleton<ITorrentFactorStore>(sp => new TableTorrentFactorStore(sp.GetRequiredService<TableAccount>().Service, Options(sp)));
        return services;
    }

    private static OperatorTablesOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<OperatorTablesOptions>>().Value;
}
