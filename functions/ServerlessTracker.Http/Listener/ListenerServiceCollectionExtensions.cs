using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Hosting;
namespace ServerlessTracker.Http.Listener;

/// <summary>Registers the tracker listener (<see cref="TrackerListenerOptions"/>; off unless a port is set).</summary>
public static class ListenerServiceCollectionExtensions
{
    public static IServiceCollection AddTrackerListener(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<TrackerListenerOptions>().Bind(configuration.GetSection(TrackerListenerOptions.Section))
            .Validate(static o => o.HasValidAddress(), "Tracker:Listener:Address must be an IP address (0.0.0.0, ::, or one of this machine's).")
            .Validate(static o => o.Port == 0 || OperatingSystem.IsLinux(), "Tracker:Listener:Port is set, but the tracker listener runs on Linux only: leave it 0 (off) here.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrackerListenerOptions>, TrackerListenerOptionsValidator>();
        services.AddSingleton<ListenerCounters>();
        services.AddSingleton<TrackerListener>();
        services.AddHostedService(static sp => sp.GetRequiredService<TrackerListener>());
        return services;
    }
}
