using System.Collections.Concurrent;
using System.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Stores;

/// <summary>The embedded default store: swarms in process memory, one lock per swarm, lost on restart.</summary>
public sealed class InMemorySwarmStore : ISwarmStore, ISwarmInspector, IPeerUpdateTarget
{
    private readonly ConcurrentDictionary<InfoHash, Swarm> _swarms = new();
    private readonly SwarmSettings _settings;
    private readonly TimeProvider _time;
    private readonly Random _random;

    public InMemorySwarmStore(SwarmSettings settings, TimeProvider time, Random? random = null)
    {
        _settings = settings;
        _time = time;
        _random = random ?? Random.Shared;
    }

    public int SwarmCount => _swarms.Count;

    public ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken)
    {
        var now = UnixTime.Now(_time);
        while (true)
        {
            Swarm? swarm;
            if (command.Event == PeerEvent.Stopped)
            {
                if (!_swarms.TryGetValue(command.InfoHash, out swarm))
                {
                    return ValueTask.CompletedTask;
                }
            }
            else
            {
                swarm = _swarms.GetOrAdd(command.InfoHash, static _ => new Swarm());
            }

            lock (swarm)
            {
                if (swarm.Detached)
                {
                    continue;
                }

                swarm.Announce(command, now, _settings, _random, result);
                return ValueTask.CompletedTask;
            }
        }
    }

    public bool MayHold(InfoHash hash) => _swarms.ContainsKey(hash);

    public ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken)
    {
        var source = hashes.Span;
        var destination = counts.Span;
        for (var i = 0; i < source.Length; i++)
        {
            if (_swarms.TryGetValue(source[i], out var swarm))
            {
                lock (swarm)
                {
                    destination[i] = swarm.Counts;
                }
            }
            else
            {
                destination[i] = default;
            }
        }

        return new(ScrapeStatus.Ok);
    }

    public ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken)
    {
        var list = new List<SwarmSummary>(_swarms.Count);
        foreach (var (hash, swarm) in _swarms)
        {
            lock (swarm)
            {
                if (!swarm.Detached)
                {
                    list.Add(new SwarmSummary(hash, swarm.Counts));
                }
            }
        }

        return ValueTask.FromResult<IReadOnlyList<SwarmSummary>>(list);
    }

    public ValueTask<int> ApplyAsync(ReadOnlyMemory<PeerUpdate> updates, CancellationToken cancellationToken)
    {
        var oldest = UnixTime.Before(UnixTime.Now(_time), _settings.PeerTtlSeconds);
        var applied = 0;
        foreach (ref readonly var update in updates.Span)
        {
            while (true)
            {
                var swarm = _swarms.GetOrAdd(update.InfoHash, static _ => new Swarm());
                lock (swarm)
                {
                    if (swarm.Detached)
                    {
                        continue;
                    }

                    applied += swarm.ApplyRemote(update, oldest) ? 1 : 0;
                    break;
                }
            }
        }

        return ValueTask.FromResult(applied);
    }

    /// <summary>The live swarm for inspection (admin), or null; callers lock it while reading.</summary>
    public Swarm? Find(InfoHash hash) => _swarms.TryGetValue(hash, out var swarm) ? swarm : null;

    /// <summary>Drops a swarm and its figures (admin).</summary>
    public bool Drop(InfoHash hash)
    {
        if (!_swarms.TryRemove(hash, out var swarm))
        {
            return false;
        }

        lock (swarm)
        {
            swarm.Detached = true;
        }

        return true;
    }

    public ValueTask<SwarmDetails?> InspectAsync(InfoHash hash, int maxPeers, CancellationToken cancellationToken)
    {
        if (Find(hash) is not { } swarm)
        {
            return ValueTask.FromResult<SwarmDetails?>(null);
        }

        lock (swarm)
        {
            if (swarm.Detached)
            {
                return ValueTask.FromResult<SwarmDetails?>(null);
            }

            var peers = swarm.ListPeers(maxPeers);
            var views = new PeerView[peers.Count];
            for (var i = 0; i < views.Length; i++)
            {
                var (peer, seeder) = peers[i];
                views[i] = new PeerView(peer.Id, peer.Address, peer.Port, seeder, peer.LastSeen, (peer.Flags & PeerFlags.Remote) != 0);
            }

            return ValueTask.FromResult<SwarmDetails?>(new SwarmDetails(hash, swarm.Counts, swarm.LastActivity, views));
        }
    }

    public ValueTask<bool> DropAsync(InfoHash hash, CancellationToken cancellationToken) => ValueTask.FromResult(Drop(hash));

    public ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = UnixTime.Now(_time);
        var peerCutoff = UnixTime.Before(now, _settings.PeerTtlSeconds);
        var swarmCutoff = UnixTime.Before(now, _settings.EmptySwarmRetentionSeconds);
        int visited = 0, peersRemoved = 0, swarmsRemoved = 0;
        foreach (var (hash, swarm) in _swarms)
        {
            cancellationToken.ThrowIfCancellationRequested();
            visited++;
            lock (swarm)
            {
                peersRemoved += swarm.RemoveExpired(peerCutoff);
                if (swarm.PeerCount == 0 && swarm.TombstoneCount == 0 && (swarm.Downloaded == 0 || swarm.LastActivity < swarmCutoff))
                {
                    swarm.Detached = true;
                    _swarms.TryRemove(hash, out _);
                    swarmsRemoved++;
                }
            }
        }

        return ValueTask.FromResult(new PurgeReport(visited, peersRemoved, swarmsRemoved, Stopwatch.GetElapsedTime(started)));
    }
}
