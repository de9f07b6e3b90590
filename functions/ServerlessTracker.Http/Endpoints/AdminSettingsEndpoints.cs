using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Hosting.Purging;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>The settings in effect (<c>GET /settings</c>): every option as bound and validated, secrets shown only as set or not.</summary>
public static class AdminSettingsEndpoints
{
    public static RouteGroupBuilder MapAdminSettings(this RouteGroupBuilder group)
    {
        group.MapGet("/settings", static (IServiceProvider services) =>
        {
            T Value<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] T>() where T : class => services.GetRequiredService<IOptions<T>>().Value;
            var admin = Value<AdminOptions>();
            var stats = Value<StatsOptions>();
            var metrics = Value<MetricsOptions>();
            var settings = new SettingsJson(
                services.GetRequiredService<FunctionsHost>().IsHosted,
                SwarmInspection.Innermost(services.GetRequiredService<ISwarmStore>()).GetType().Name,
                ServerlessTracker.Sync.Publishing.OperatorStores.Innermost(services.GetRequiredService<IPasskeyStore>()).GetType().Name,
                services.GetRequiredService<SwarmSettings>(),
                Value<HttpTrackerOptions>(),
                Value<NetworkOptions>(),
                Value<PurgeOptions>(),
                Value<PrivateModeSettings>(),
                Value<AccessSettings>(),
                Value<LeechControlSettings>(),
                Value<PolicySettings>(),
                new AdminSettingsJson(!string.IsNullOrEmpty(admin.Token), admin.PublicUrl, services.GetRequiredService<AdminAuthorization>().LoopbackOnly),
                new StatsSettingsJson(stats.IsServed(Value<PrivateModeSettings>().Enabled), !string.IsNullOrEmpty(stats.Token), stats.RefreshSeconds, stats.BusiestSwarms, stats.HistoryMinutes),
                new MetricsSettingsJson(metrics.Prometheus, !string.IsNullOrWhiteSpace(metrics.ApplicationInsightsConnectionString), metrics.ExportSeconds));
            return AdminEndpoints.Json(settings, AdminJsonContext.Default.SettingsJson);
        });
        return group;
    }
}
