using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Stats;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Registers what operators use: the admin API's options and guard, and the stats page.</summary>
public static class OperatorServiceCollectionExtensions
{
    public static IServiceCollection AddTrackerOperator(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section))
            .Validate(o => o.PublicUrl is null || o.PublicUrl.IsAbsoluteUri, "Tracker:Admin:PublicUrl must be an absolute URL.")
            .Validate(o => Secrets.UnsetOrLongEnough(o.Token), Secrets.TooShort("Tracker:Admin:Token"))
            .ValidateOnStart();
        services.AddOptions<StatsOptions>().Bind(configuration.GetSection(StatsOptions.Section))
            .Validate(o => Secrets.UnsetOrLongEnough(o.Token), Secrets.TooShort("Tracker:Stats:Token"))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatsOptions>, StatsOptionsValidator>();
        services.AddSingleton<AdminAuthorization>();
        services.AddSingleton<StatsCache>();
        services.AddSingleton(static sp => new Engine.Diagnostics.StatsHistory(sp.GetRequiredService<IOptions<StatsOptions>>().Value.HistoryMinutes));
        services.AddSingleton<Engine.Diagnostics.StatsHistoryRecorder>();
        services.AddSingleton<StatsHistoryService>();
        services.AddHostedService(static sp => sp.GetRequiredService<StatsHistoryService>());
        services.AddSingleton<Engine.Diagnostics.IRegionStatusSource, SyncRegionStatusSource>();
        return services;
    }
}
