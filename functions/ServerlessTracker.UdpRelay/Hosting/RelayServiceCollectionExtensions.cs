using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Storage.Operator;
using ServerlessTracker.Sync;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Registration of the relay's parts; Program.cs calls these and nothing else.</summary>
public static class RelayServiceCollectionExtensions
{
    /// <summary>The UDP server, its options, the swarm rules (<c>Tracker:Swarm</c>, shared with the function app) and the purge timer.</summary>
    public static IServiceCollection AddUdpRelay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RelayOptions>()
            .Bind(configuration.GetSection(RelayOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<RelayRateLimitOptions>()
            .Bind(configuration.GetSection(RelayRateLimitOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddOptions<SwarmSettings>()
            .Bind(configuration.GetSection("Tracker:Swarm"))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(ConnectionIdKeyFrom);
        services.AddSingleton<UdpRelayServer>();
        services.AddHostedService(static provider => provider.GetRequiredService<UdpRelayServer>());
        services.AddHostedService<PurgeService>();
        return services;
    }

    /// <summary>Chooses the swarm store with the function app's settings: Table Storage when <c>Tracker:Tables:*</c> is
    /// configured (the same swarms as the function app), in memory otherwise; changes are published to other regions
    /// when <c>Tracker:Sync:TopicEndpoint</c> is set. Registers the announce policy and its stores the same way.</summary>
    /// <remarks>Registers no in-memory store if a store is already registered, so a host or test can supply its own first.</remarks>
    public static IServiceCollection AddSwarmStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(static provider => provider.GetRequiredService<IOptions<SwarmSettings>>().Value);
        services.TryAddSingleton<ISwarmStore>(static provider => new InMemorySwarmStore(
            provider.GetRequiredService<SwarmSettings>(),
            provider.GetRequiredService<TimeProvider>()));
        services.AddTableSwarmStore(configuration);

        // The same policy as HTTP (Tracker:Private, Tracker:Access, Tracker:LeechControl) over the same operator stores.
        services.AddAnnouncePolicy(configuration);

        // Last: sync wraps the swarm store and the policy's stores, so the relay's passkey figures reach other regions too.
        services.AddTrackerSync(configuration);
        return services;
    }

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
