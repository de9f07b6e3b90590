using Azure;
using Azure.Identity;
using Azure.Messaging.EventGrid;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Receiving;

namespace ServerlessTracker.Sync;

/// <summary>Registers cross-region sync: the appliers always, the publishers when a topic is configured.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <summary>Call after the swarm store and the announce policy are registered: the swarm store and the policy's operator
    /// stores are wrapped to queue their changes for publishing.</summary>
    public static IServiceCollection AddTrackerSync(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection(SyncOptions.Section))
            .Validate(o => !o.PublishEnabled || Uri.TryCreate(o.TopicEndpoint, UriKind.Absolute, out _), "Tracker:Sync:TopicEndpoint must be an absolute URI.")
            .Validate(o => SyncOptions.UnsetOrLongEnough(o.ReceiverKey), SyncOptions.TooShort("Tracker:Sync:ReceiverKey"))
            .Validate(o => SyncOptions.UnsetOrLongEnough(o.TopicKey), SyncOptions.TooShort("Tracker:Sync:TopicKey"))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyncOptions>, SyncOptionsValidator>();
        services.AddOptions<RegionOptions>().Bind(configuration.GetSection("Tracker")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RegionOptions>, RegionOptionsValidator>();
        services.AddMetrics();
        services.AddSingleton<SyncMetrics>();
        services.AddSingleton<SyncReceiverAuth>();
        services.AddSingleton(sp => new OperatorEventApplier(
            sp.GetService<AnnouncePolicy>(),
            sp.GetService<IPasskeyStore>() is { } passkeys ? OperatorStores.Innermost(passkeys) : null,
            sp.GetService<IInfoHashListStore>() is { } infoHashes ? OperatorStores.Innermost(infoHashes) : null,
            sp.GetService<IIpAllowListStore>() is { } ips ? OperatorStores.Innermost(ips) : null,
            sp.GetRequiredService<IOptions<RegionOptions>>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<SyncOptions>>(),
            sp.GetService<IClientListStore>() is { } clients ? OperatorStores.Innermost(clients) : null,
            sp.GetService<ITorrentFactorStore>() is { } factors ? OperatorStores.Innermost(factors) : null));
        services.AddSingleton<SyncEventApplier>(sp => new SyncEventApplier(
            sp.GetRequiredService<ISwarmStore>() as IPeerUpdateTarget ?? throw new InvalidOperationException("The configured store cannot apply replicated changes."),
            sp.GetRequiredService<IOptions<RegionOptions>>(), sp.GetRequiredService<SyncMetrics>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<OperatorEventApplier>(), sp.GetRequiredService<IOptions<SyncOptions>>()));

        var sync = configuration.GetSection(SyncOptions.Section).Get<SyncOptions>() ?? new SyncOptions();
        if (!sync.PublishEnabled)
        {
            return services;
        }

        services.PostConfigure<SwarmSettings>(s => s.RememberStops = true);
        services.AddSingleton<SyncQueue>();
        services.AddSingleton(sp => CreateClient(sp.GetRequiredService<IOptions<SyncOptions>>().Value));
        services.AddSingleton<EventGridSyncPublisher>();
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<EventGridSyncPublisher>());
        DecorateStore(services);

        services.AddSingleton<OperatorSyncQueue>();
        services.AddSingleton<OperatorSyncPublisher>();
        // First among the hosted services, so it stops last: after the policy's final flush of figures, which it publishes.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(sp => sp.GetRequiredService<OperatorSyncPublisher>()));
        Decorate<IPasskeyStore>(services, (sp, inner) => new ReplicatingPasskeyStore(inner, sp.GetRequiredService<OperatorSyncQueue>()));
        Decorate<IInfoHashListStore>(services, (sp, inner) => new ReplicatingInfoHashListStore(inner, sp.GetRequiredService<OperatorSyncQueue>()));
        Decorate<IIpAllowListStore>(services, (sp, inner) => new ReplicatingIpAllowListStore(inner, sp.GetRequiredService<OperatorSyncQueue>()));
        Decorate<IClientListStore>(services, (sp, inner) => new ReplicatingClientListStore(inner, sp.GetRequiredService<OperatorSyncQueue>()));
        Decorate<ITorrentFactorStore>(services, (sp, inner) => new ReplicatingTorrentFactorStore(inner, sp.GetRequiredService<OperatorSyncQueue>()));
        return services;
    }

    /// <summary>Wraps the registered <typeparamref name="T"/>, when there is one (the announce policy's operator stores).</summary>
    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        if (services.LastOrDefault(d => d.ServiceType == typeof(T)) is not { } original)
        {
            return;
        }

        services.Remove(original);
        services.AddSingleton(sp => wrap(sp, (T)Create(sp, original)));
    }

    private static EventGridPublisherClient CreateClient(SyncOptions options)
    {
        var endpoint = new Uri(options.TopicEndpoint!);
        var clientOptions = new EventGridPublisherClientOptions();
        // The publisher retries whole batches itself with its own budget; keep the SDK's retries short.
        clientOptions.Retry.MaxRetries = 1;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(10);
        return string.IsNullOrEmpty(options.TopicKey)
            ? new EventGridPublisherClient(endpoint, new DefaultAzureCredential(), clientOptions)
            : new EventGridPublisherClient(endpoint, new AzureKeyCredential(options.TopicKey), clientOptions);
    }

    private static void DecorateStore(IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(ISwarmStore))
            ?? throw new InvalidOperationException("Register the swarm store before sync.");
        services.Remove(original);
        services.AddSingleton<ISwarmStore>(sp => new ReplicatingSwarmStore(
            (ISwarmStore)Create(sp, original), sp.GetRequiredService<SyncQueue>(), sp.GetRequiredService<TimeProvider>()));
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
