using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Sync;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Receiving;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Storage.Tests.Regions;

/// <summary>One region as deployed, without its front doors: a Table store on the region's own tables (its own storage
/// account), wrapped as the app wraps it to queue its changes for the topic, the sync applier, and an announce policy.</summary>
internal sealed class SyncedRegion : IDisposable
{
    private readonly ServiceProvider _meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public SyncedRegion(string name, TableStoreOptions tables, SwarmSettings settings, TimeProvider time, int seed)
    {
        Name = name;
        Metrics = new SyncMetrics(_meters.GetRequiredService<IMeterFactory>());
        Store = Tables.Store(tables, time, settings, seed);
        Queue = new SyncQueue(Options.Create(new SyncOptions()), Metrics);
        Front = new ReplicatingSwarmStore(Store, Queue, time);
        Applier = new SyncEventApplier(Front, Options.Create(new RegionOptions { Region = name }), Metrics, time);
        Policy = AnnouncePolicy.InMemory(time);
    }

    public string Name { get; }

    public SyncMetrics Metrics { get; }

    /// <summary>The region's store, for writes that are not replicated (filling a swarm) and for reading.</summary>
    public TableSwarmStore Store { get; }

    public SyncQueue Queue { get; }

    /// <summary>What the front doors call: the store, its changes queued for the other regions.</summary>
    public ReplicatingSwarmStore Front { get; }

    public SyncEventApplier Applier { get; }

    public AnnouncePolicy Policy { get; }

    /// <summary>An announce as the HTTP and UDP front doors make it: policy, store (accounted with a passkey), accounting.</summary>
    public async Task<AnnounceResult> AnnounceAsync(string passkey, AnnounceCommand command)
    {
        var decision = Policy.CheckAnnounce(Encoding.ASCII.GetBytes(passkey), command);
        Assert.True(decision.IsAllowed, $"{Name} refused {decision.Verdict}");
        var result = new AnnounceResult(50);
        await Front.AnnounceAsync(decision.Account is null ? command : command with { Accounted = true }, result, CancellationToken.None);
        AnnouncePolicy.Account(decision, result);
        return result;
    }

    /// <summary>Drains the queue into CloudEvents as the publisher would send them, through JSON and back as Event Grid
    /// delivers them.</summary>
    public IReadOnlyList<SyncCloudEvent> TakeEvents()
    {
        var updates = new List<PeerUpdate>();
        while (Queue.Reader.TryRead(out var update))
        {
            updates.Add(update);
        }

        var events = updates.Chunk(new SyncOptions().MaxChangesPerEvent)
            .Select(chunk => SyncCloudEvent.Binary(EventGridSyncPublisher.SourceFor(Name), EventGridSyncPublisher.EventType,
                PeerUpdateBatchCodec.Encode(chunk), DateTimeOffset.UtcNow))
            .ToList();
        return CloudEventJson.Decode(CloudEventJson.EncodeBatch(events))!;
    }

    /// <summary>Delivers every region's queued changes to every other region (each region's subscriptions).</summary>
    public static async Task DeliverAsync(IReadOnlyList<SyncedRegion> regions)
    {
        foreach (var from in regions)
        {
            var events = from.TakeEvents();
            foreach (var to in regions)
            {
                if (to != from && events.Count > 0)
                {
                    var report = await to.Applier.ApplyAsync(events, CancellationToken.None);
                    Assert.Equal(0, report.Invalid);
                }
            }
        }
    }

    public void Dispose()
    {
        Store.Dispose();
        Metrics.Dispose();
        _meters.Dispose();
    }
}
