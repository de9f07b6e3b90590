using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using ServerlessTracker.Hosting;
using ServerlessTracker.Hosting.Settings;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Registration of the relay's parts; Program.cs calls these and nothing else.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>The UDP server, its options, the swarm rules (<c>Tracker:Swarm</c>, shared with the function app), the purge timer
    /// and the optional health side port (<c>Relay:Health</c>).</summary>
    public static IServiceCollection AddUdpRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettingsSection<RelayOptions>(RelayOptions.Section);
        services.AddSettingsSection<RelayRateLimitOptions>(RelayRateLimitOptions.Section);
        services.AddSettingsSection<RelayHealthOptions>(RelayHealthOptions.Section);
        services.AddOptions<RelayOptions>()
            .Bind(configuration.GetSection(RelayOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayOptions>, RelayOptionsValidator>();
        services.AddOptions<RelayRateLimitOptions>()
            .Bind(configuration.GetSection(RelayRateLimitOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayRateLimitOptions>, RelayRateLimitOptionsValidator>();
        services.AddOptions<RelayHealthOptions>()
            .Bind(configuration.GetSection(RelayHealthOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<RelayHealthOptions>, RelayHealthOptionsValidator>();
        services.AddSingleton(ConnectionIdKeyFrom);
        services.AddSingleton<UdpRelayServer>();
        services.AddHostedService(static provider => provider.GetRequiredService<UdpRelayServer>());
        services.AddSingleton<RelayHealthServer>();
        services.AddHostedService(static provider => provider.GetRequiredService<RelayHealthServer>());
        services.AddHostedService<RelayStatsHistoryService>();
        return services;
    }

    /// <summary>The tracker core with the relay's defaults (<see cref="TrackerCoreServiceCollectionExtensions.AddTrackerCore"/>):
    /// the same store, policy and sync as the function app with the same settings, so UDP and HTTP peers meet.</summary>
    /// <remarks>A store registered before this call wins, so a host or test can supply its own.</remarks>
    public static IServiceCollection AddSwarmStore(this IServiceCollection services, IConfiguration configuration) =>
        services.AddTrackerCore(configuration, TrackerHostKind.UdpRelay);

    private static ConnectionIdKey ConnectionIdKeyFrom(IServiceProvider provider)
    {
        var options = provider.GetRequiredService<IOptions<RelayOptions>>().Value;
        if (!string.IsNullOrEmpty(options.ConnectionIdKey))
        {
            return new ConnectionIdKey(Convert.FromBase64String(options.ConnectionIdKey), Generated: false);
        }

        return new ConnectionIdKey(RandomNumberGenerator.GetBytes(32), Generated: true);
    }
}

/// <summary>The secret behind connection ids: configured (shared by instances) or generated at start.</summary>
public sealed record ConnectionIdKey(byte[] Bytes, bool Generated);
