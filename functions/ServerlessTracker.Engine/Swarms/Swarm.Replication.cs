using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>Applying peer changes learned from other regions (last announce wins, stops leave tombstones, the key rule
/// holds) and rows a store read back (<see cref="Learn"/>).</summary>
public sealed partial class Swarm
{
    // Stops seen per peer id, so a late, older announce cannot bring a stopped peer back. Expire with the TTL.
    private Dictionary<PeerId, uint>? _tombstones;

    // Remote completions already counted, by (peer, announce time): each is counted once whatever the
    // order of arrival, so every region converges on the same downloaded figure. Expire with the TTL.
    private Dictionary<(PeerId Peer, long AtMs), uint>? _completions;

    /// <summary>Replication bookkeeping still held (stop tombstones and counted completions); the swarm must outlive it.</summary>
    public int TombstoneCount => (_tombstones?.Count ?? 0) + (_completions?.Count ?? 0);

    /// <summary>Applies one replicated change; false when it changed nothing: older than what the swarm knows, or refused by
    /// the key of the peer the swarm holds (a completion it carries is counted all the same, once).</summary>
    public bool ApplyRemote(in PeerUpdate update, uint oldestAccepted)
    {
        var at = update.AnnouncedAtSeconds;
        if (at < oldestAccepted)
        {
            return false;
        }

        // A completion counted at its origin counts here too, whatever becomes of the peer's record: downloaded converges.
        var counted = update.Completed && CountCompletion(update.PeerId, update.AnnouncedAtMs, at);
        var exists = TryFind(update.PeerId, out var slot);
        if (exists && (EntryAt(slot).LastSeen > at || RefusesKey(EntryAt(slot), update.Address, update.HasKey, update.Key)))
        {
            // Older than what the swarm holds, or from another address without the key of the peer it holds: the same
            // rule as a local announce (the origin may have judged against a copy that had not learned the key yet).
            return counted;
        }

        if (update.State == ReplicatedPeerState.Stopped)
        {
            if (exists)
            {
                RemoveAt(slot);
            }

            RememberStop(update.PeerId, at);
            RememberSession(update.PeerId, update.Uploaded, update.Downloaded, at);
            LastActivity = Math.Max(LastActivity, at);
            return exists || counted;
        }

        if (_tombstones is not null && _tombstones.TryGetValue(update.PeerId, out var stoppedAt) && stoppedAt >= at)
        {
            return counted;
        }

        var peer = exists ? RecordAt(slot) : new PeerRecord { Id = update.PeerId };
        peer.Address = update.Address;
        peer.Port = update.Port;
        peer.LastSeen = at;
        peer.Uploaded = update.Uploaded;
        peer.Downloaded = update.Downloaded;
        peer.Flags |= PeerFlags.Remote;
        if (update.HasKey)
        {
            peer.Key = update.Key;
            peer.Flags |= PeerFlags.HasKey;
        }

        if (update.Completed)
        {
            // Counted at its origin: a repeated 'completed' from this session must not count here either.
            peer.Flags |= PeerFlags.CountedComplete;
        }

        Put(peer, update.State == ReplicatedPeerState.Seeder);
        _sessions?.Remove(update.PeerId);
        LastActivity = Math.Max(LastActivity, at);
        return true;
    }

    /// <summary>Takes a peer's row as a store read it back, for a peer this copy of the swarm lacks or may hold stale (a
    /// window of a large swarm, another instance's write since the refresh, an expired peer): a live row newer than the
    /// copy becomes the peer, so the key rule and the next delta are judged against the partition; a stopped or expired
    /// row is the base of the peer's next delta and, with <paramref name="rememberStops"/>, a stop that beats older
    /// replicated announces.</summary>
    /// <param name="cutoff">Rows last seen before this (unix seconds) are expired: no longer peers, still a session base.</param>
    public void Learn(in StoredPeer stored, uint cutoff, bool rememberStops)
    {
        var id = stored.Record.Id;
        var at = stored.Record.LastSeen;
        var live = stored.State != StoredPeerState.Stopped && at >= cutoff;
        if (TryFind(id, out var slot))
        {
            ref var held = ref EntryAt(slot);
            if (held.LastSeen >= at)
            {
                if (live && (stored.Record.Flags & PeerFlags.CountedComplete) != 0)
                {
                    // The partition counted this peer's completion (another instance did): it completes once.
                    held.Flags |= PeerFlags.CountedComplete;
                }

                return;
            }

            RemoveAt(slot);
        }

        if (live)
        {
            if (_tombstones is null || !_tombstones.TryGetValue(id, out var stoppedAt) || stoppedAt < at)
            {
                Put(stored.Record, stored.State == StoredPeerState.Seeder);
                _sessions?.Remove(id);
            }

            return;
        }

        if (stored.HasCounters)
        {
            RememberSession(id, stored.Record.Uploaded, stored.Record.Downloaded, at);
        }

        if (stored.State == StoredPeerState.Stopped && rememberStops)
        {
            RememberStop(id, at);
        }
    }

    /// <summary>When this swarm last learned that the peer stopped (a tombstone it keeps), if it did.</summary>
    public bool TryGetStop(PeerId id, out uint stoppedAt)
    {
        stoppedAt = 0;
        return _tombstones is not null && _tombstones.TryGetValue(id, out stoppedAt);
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
        if (_sessions is not null)
        {
            foreach (var (key, session) in _sessions)
            {
                if (session.At < cutoff)
                {
                    _sessions.Remove(key);
                }
            }

            if (_sessions.Count == 0)
            {
                _sessions = null;
            }
        }

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
