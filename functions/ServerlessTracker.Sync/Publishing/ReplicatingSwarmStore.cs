using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Sync.Publishing;

/// <summary>Wraps the region's store: every stored local change is queued for the other regions.</summary>
/// <remarks>Changes applied from other regions pass straight to the inner store and are never republished.</remarks>
public sealed class ReplicatingSwarmStore(ISwarmStore inner, SyncQueue queue, TimeProvider time) : ISwarmStore, IPeerUpdateTarget
{
    public ISwarmStore Inner => inner;

    public async ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken)
    {
        await inner.AnnounceAsync(command, result, cancellationToken);
        if (result.Status != AnnounceStatus.Ok || result.Change is PeerChange.None or PeerChange.Unchanged)
        {
            return;
        }

        var state = command.Event == PeerEvent.Stopped ? ReplicatedPeerState.Stopped
            : command.IsSeeder ? ReplicatedPeerState.Seeder : ReplicatedPeerState.Leecher;
        // The session's counters and the key travel, so other regions take the next delta against them and hold the
        // peer id to its key as this one does. Counters only of accounted announces: an open tracker keeps none.
        queue.Enqueue(new PeerUpdate(command.InfoHash, command.PeerId, command.Address, command.Port, state,
            result.CountedCompletion, time.GetUtcNow().ToUnixTimeMilliseconds(), command.Accounted ? command.Uploaded : 0,
            command.Accounted ? command.Downloaded : 0, command.Key, command.HasKey));
    }

    public ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken) =>
        inner.ScrapeAsync(hashes, counts, cancellationToken);

    public bool MayHold(InfoHash hash) => inner.MayHold(hash);

    public ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken) =>
        inner.ListSwarmsAsync(cancellationToken);

    public ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken) => inner.PurgeAsync(cancellationToken);

    public ValueTask<int> ApplyAsync(ReadOnlyMemory<PeerUpdate> updates, CancellationToken cancellationToken) =>
        inner is IPeerUpdateTarget target
            ? target.ApplyAsync(updates, cancellationToken)
            : throw new InvalidOperationException($"{inner.GetType().Name} cannot apply replicated changes.");
}
