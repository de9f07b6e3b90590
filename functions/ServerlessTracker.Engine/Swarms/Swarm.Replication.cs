using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>Applying peer changes learned from other regions: last announce wins, stops leave tombstones.</summary>
public sealed partial class Swarm
{
    // Stops seen per peer id, so a late, older announce cannot bring a stopped peer back. Expire with the TTL.
    private Dictionary<PeerId, uint>? _tombstones;

    // Remote completions already counted, by (peer, announce time): each is counted once whatever the
    // order of arrival, so every region converges on the same downloaded figure. Expire with the TTL.
    private Dictionary<(PeerId Peer, long AtMs), uint>? _completions;

    /// <summary>Replication bookkeeping still held (stop tombstones and counted completions); the swarm must outlive it.</summary>
    public int TombstoneCount => (_tombstones?.Count ?? 0) + (_completions?.Count ?? 0);

    /// <summary>Applies one replicated change; false when it is older than what the swarm knows.</summary>
    public bool ApplyRemote(in PeerUpdate update, uint oldestAccepted)
    {
        var at = update.AnnouncedAtSeconds;
        if (at < oldestAccepted)
        {
            return false;
        }

        var counted = update.Completed && CountCompletion(update.PeerId, update.AnnouncedAtMs, at);
        var exists = _index.TryGetValue(update.PeerId, out var slot);
        if (exists && At(slot).LastSeen > at)
        {
            return counted;
        }

        if (update.State == ReplicatedPeerState.Stopped)
        {
            if (exists)
            {
                RemoveAt(slot);
            }

            RememberStop(update.PeerId, at);
            LastActivity = Math.Max(LastActivity, at);
            return exists || counted;
        }

        if (_tombstones is not null && _tombstones.TryGetValue(update.PeerId, out var stoppedAt) && stoppedAt >= at)
        {
            return counted;
        }

        var peer = exists ? At(slot) : new PeerRecord { Id = update.PeerId };
        peer.Address = update.Address;
        peer.Port = update.Port;
        peer.LastSeen = at;
        peer.Flags |= PeerFlags.Remote;
        if (update.Completed)
        {
            // Counted at its origin: a repeated 'completed' from this session must not count here either.
            peer.Flags |= PeerFlags.CountedComplete;
        }

        Put(peer, update.State == ReplicatedPeerState.Seeder);
        LastActivity = Math.Max(LastActivity, at);
        return true;
    }

    private bool CountCompletion(PeerId id, long atMs, uint at)
    {
        _completions ??= [];
        if (!_completions.TryAdd((id, atMs), at))
        {
            return false;
        }

        Downloaded++;
        return true;
    }

    private void RememberStop(PeerId id, uint at)
    {
        _tombstones ??= [];
        ref var stopped = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_tombstones, id, out _);
        stopped = Math.Max(stopped, at);
    }

    /// <summary>A local announce is newer than any stop heard before it.</summary>
    private void ClearTombstone(PeerId id) => _tombstones?.Remove(id);

    private int RemoveExpiredTombstones(uint cutoff)
    {
        if (_completions is not null)
        {
            foreach (var (key, at) in _completions)
            {
                if (at < cutoff)
                {
                    _completions.Remove(key);
                }
            }

            if (_completions.Count == 0)
            {
                _completions = null;
            }
        }

        if (_tombstones is null)
        {
            return 0;
        }

        var removed = 0;
        foreach (var (id, at) in _tombstones)
        {
            if (at < cutoff)
            {
                _tombstones.Remove(id);
                removed++;
            }
        }

        if (_tombstones.Count == 0)
        {
            _tombstones = null;
        }

        return removed;
    }
}
