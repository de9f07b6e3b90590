using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>The peers of one torrent and the announce rules over them. Not thread-safe: callers lock the instance.</summary>
/// <remarks>
/// Seeders and leechers live in two arrays of inline <see cref="PeerRecord"/>s, so counting is free,
/// a seeder is offered only leechers without scanning seeders, and removal is a swap with the last
/// element. An index maps each peer id to its array and slot.
/// </remarks>
public sealed partial class Swarm
{
    private const int SeederBit = 1 << 30;
    private const int MinCapacity = 4;

    private readonly Dictionary<PeerId, int> _index = [];
    private PeerRecord[] _leechers = [];
    private PeerRecord[] _seeders = [];
    private int _leecherCount;
    private int _seederCount;

    /// <summary>Completed downloads counted for this torrent.</summary>
    public long Downloaded { get; set; }

    /// <summary>Last change, in seconds since the Unix epoch.</summary>
    public uint LastActivity { get; set; }

    /// <summary>Set by a store when it drops this swarm; a caller holding it must look the swarm up again.</summary>
    public bool Detached { get; set; }

    public int SeederCount => _seederCount;

    public int LeecherCount => _leecherCount;

    public int PeerCount => _seederCount + _leecherCount;

    public SwarmCounts Counts => new(_seederCount, _leecherCount, Downloaded);

    /// <summary>Roughly the managed memory the swarm holds, in bytes: its record arrays (capacity, not count), the peer index
    /// and the replication and accounting bookkeeping. For caches that bound their memory.</summary>
    public long ApproximateBytes =>
        160 + (((long)_leechers.Length + _seeders.Length) * System.Runtime.CompilerServices.Unsafe.SizeOf<PeerRecord>())
        + ((long)_index.Count * 40) + ((long)TombstoneCount * 48) + ((long)(_sessions?.Count ?? 0) * 56);

    /// <summary>Applies an announce and fills <paramref name="result"/> with counts and a random peer sample.</summary>
    /// <param name="peersHeld">The swarm's size when this copy holds only part of it (a store's window of a large swarm),
    /// for <see cref="SwarmSettings.MaxPeersPerSwarm"/>; negative when this copy is the whole swarm.</param>
    public void Announce(in AnnounceCommand command, uint now, SwarmSettings settings, Random random, AnnounceResult result, long peersHeld = -1)
    {
        var exists = _index.TryGetValue(command.PeerId, out var slot);
        if (exists && RefusesKey(At(slot), command.Address, command.HasKey, command.Key, command.AddressClaimed))
        {
            result.Status = AnnounceStatus.KeyMismatch;
            result.Counts = Counts;
            return;
        }

        if (exists && IsAnsweredFromSwarm(At(slot), (slot & SeederBit) != 0, command, now, settings))
        {
            // Answered from the swarm: the stored record (and its counters, the base of the next deltas) stays as it is.
            result.Change = PeerChange.Unchanged;
            SelectPeers(command, settings.EffectiveNumWant(command.NumWant), UnixTime.Before(now, settings.PeerTtlSeconds), random, result);
            result.Counts = Counts;
            return;
        }

        if (!exists && command.Event != PeerEvent.Stopped && RefusedNewcomer(command, now, settings, peersHeld) is var refusal && refusal != AnnounceStatus.Ok)
        {
            // A cap an operator set: nothing changes, nothing is stored, and the peer is told when to try again.
            result.Status = refusal;
            result.Counts = Counts;
            return;
        }

        LastActivity = now;
        ClearTombstone(command.PeerId);
        if (command.Event == PeerEvent.Stopped)
        {
            // A stop for a peer the swarm does not hold has nothing to be verified against (no key, no address): it changes
            // nothing, leaves no tombstone and credits nothing. A store that may lack a peer reads its row first (Learn).
            if (exists)
            {
                ref var leaving = ref At(slot);
                SetDeltas(result, leaving.Uploaded, leaving.Downloaded, command);
                RemoveAt(slot);
                result.Change = PeerChange.Removed;
                if (command.Accounted)
                {
                    // The base of the next delta, should the session go on after all (a stop it did not send).
                    RememberSession(command.PeerId, command.Uploaded, command.Downloaded, now);
                }

                if (settings.RememberStops)
                {
                    RememberStop(command.PeerId, now);
                }
            }

            result.Counts = Counts;
            return;
        }

        if (exists)
        {
            ref var peer = ref At(slot);
            SetDeltas(result, peer.Uploaded, peer.Downloaded, command);
            Refresh(ref peer, command, now, result);
            var wasSeeder = (slot & SeederBit) != 0;
            if (wasSeeder != command.IsSeeder)
            {
                var moved = peer;
                RemoveAt(slot);
                Insert(moved, command.IsSeeder);
            }

            result.Change = PeerChange.Updated;
        }
        else
        {
            var peer = new PeerRecord { Id = command.PeerId };
            SetNewcomerDeltas(result, command);
            Refresh(ref peer, command, now, result);
            Insert(peer, command.IsSeeder);
            result.Change = PeerChange.Added;
        }

        if (result.CountedCompletion)
        {
            Downloaded++;
        }

        var cutoff = UnixTime.Before(now, settings.PeerTtlSeconds);
        SelectPeers(command, settings.EffectiveNumWant(command.NumWant), cutoff, random, result);
        result.Counts = Counts;
    }

    /// <summary>Adds or replaces a peer as given, without announce rules: for loading from a store and applying sync.</summary>
    public void Put(in PeerRecord peer, bool seeder)
    {
        if (_index.TryGetValue(peer.Id, out var slot))
        {
            if (((slot & SeederBit) != 0) == seeder)
            {
                At(slot) = peer;
                return;
            }

            RemoveAt(slot);
        }

        Insert(peer, seeder);
    }

    public bool TryGet(PeerId id, out PeerRecord peer, out bool seeder)
    {
        if (_index.TryGetValue(id, out var slot))
        {
            peer = At(slot);
            seeder = (slot & SeederBit) != 0;
            return true;
        }

        peer = default;
        seeder = false;
        return false;
    }

    public bool Remove(PeerId id)
    {
        if (!_index.TryGetValue(id, out var slot))
        {
            return false;
        }

        RemoveAt(slot);
        return true;
    }

    /// <summary>Removes peers (and stop tombstones) last seen before <paramref name="cutoff"/>; returns how many peers.</summary>
    public int RemoveExpired(uint cutoff)
    {
        RemoveExpiredTombstones(cutoff);
        return RemoveExpired(ref _leechers, ref _leecherCount, 0, cutoff) + RemoveExpired(ref _seeders, ref _seederCount, SeederBit, cutoff);
    }

    /// <summary>Copies up to <paramref name="max"/> peers (leechers first) for inspection.</summary>
    public List<(PeerRecord Peer, bool Seeder)> ListPeers(int max)
    {
        var peers = new List<(PeerRecord, bool)>(Math.Min(max, PeerCount));
        for (var i = 0; i < _leecherCount && peers.Count < max; i++)
        {
            peers.Add((_leechers[i], false));
        }

        for (var i = 0; i < _seederCount && peers.Count < max; i++)
        {
            peers.Add((_seeders[i], true));
        }

        return peers;
    }

    private static void Refresh(ref PeerRecord peer, in AnnounceCommand command, uint now, AnnounceResult result)
    {
        peer.Address = command.Address;
        peer.Port = command.Port;
        peer.LastSeen = now;
        peer.Uploaded = command.Uploaded;
        peer.Downloaded = command.Downloaded;
        peer.Owner = command.Owner;
        peer.Flags &= ~PeerFlags.Remote;
        if (command.HasKey)
        {
            peer.Key = command.Key;
            peer.Flags |= PeerFlags.HasKey;
        }

        if (command.Event == PeerEvent.Completed && (peer.Flags & PeerFlags.CountedComplete) == 0)
        {
            peer.Flags |= PeerFlags.CountedComplete;
            result.CountedCompletion = true;
        }
    }

    /// <summary>Whether a peer that announced a key refuses this announce: it comes from another address without the key. A claimed
    /// address counts as another address, whatever it says: only the connection's address proves where a request came from.</summary>
    private static bool RefusesKey(in PeerRecord current, PeerAddress address, bool hasKey, uint key, bool addressClaimed = false) =>
        (current.Flags & PeerFlags.HasKey) != 0 && (addressClaimed || current.Address != address) && (!hasKey || key != current.Key);

    private void SelectPeers(in AnnounceCommand command, int numWant, uint cutoff, Random random, AnnounceResult result)
    {
        // Seeders get only leechers; leechers get both (leechers first in the virtual range).
        var total = command.IsSeeder ? _leecherCount : _leecherCount + _seederCount;
        numWant = Math.Min(numWant, result.Capacity);
        if (total == 0 || numWant == 0)
        {
            return;
        }

        // Visit the range in a random order: a random start and a random stride coprime to its size.
        var start = random.Next(total);
        var stride = total <= numWant + 1 ? 1 : CoprimeStride(total, random);
        var taken = 0;
        var position = start;
        for (var visited = 0; visited < total && taken < numWant; visited++)
        {
            ref readonly var peer = ref position < _leecherCount ? ref _leechers[position] : ref _seeders[position - _leecherCount];
            position += stride;
            if (position >= total)
            {
                position -= total;
            }

            if (peer.LastSeen < cutoff || peer.Id == command.PeerId || (peer.Port == command.Port && peer.Address == command.Address))
            {
                continue;
            }

            var family = peer.Address.IsIPv4 ? AddressFamilies.IPv4 : AddressFamilies.IPv6;
            if ((command.Families & family) == 0)
            {
                continue;
            }

            result.TryAdd(peer);
            taken++;
        }
    }

    private static int CoprimeStride(int total, Random random)
    {
        while (true)
        {
            var stride = random.Next(1, total);
            if (Gcd(stride, total) == 1)
            {
                return stride;
            }
        }
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private ref PeerRecord At(int slot) =>
        ref (slot & SeederBit) != 0 ? ref _seeders[slot & ~SeederBit] : ref _leechers[slot];

    private void Insert(in PeerRecord peer, bool seeder)
    {
        if (seeder)
        {
            Append(ref _seeders, ref _seederCount, peer);
            _index[peer.Id] = (_seederCount - 1) | SeederBit;
        }
        else
        {
            Append(ref _leechers, ref _leecherCount, peer);
            _index[peer.Id] = _leecherCount - 1;
        }
    }

    private static void Append(ref PeerRecord[] peers, ref int count, in PeerRecord peer)
    {
        if (count == peers.Length)
        {
            Array.Resize(ref peers, Math.Max(MinCapacity, peers.Length * 2));
        }

        peers[count++] = peer;
    }

    private void RemoveAt(int slot)
    {
        var seeder = (slot & SeederBit) != 0;
        var index = slot & ~SeederBit;
        if (seeder)
        {
            RemoveAt(ref _seeders, ref _seederCount, index, SeederBit);
        }
        else
        {
            RemoveAt(ref _leechers, ref _leecherCount, index, 0);
        }
    }

    private void RemoveAt(ref PeerRecord[] peers, ref int count, int index, int bit)
    {
        _index.Remove(peers[index].Id);
        var last = count - 1;
        if (index != last)
        {
            peers[index] = peers[last];
            _index[peers[index].Id] = index | bit;
        }

        peers[last] = default;
        count = last;
        Shrink(ref peers, count);
    }

    private int RemoveExpired(ref PeerRecord[] peers, ref int count, int bit, uint cutoff)
    {
        var removed = 0;
        for (var i = count - 1; i >= 0; i--)
        {
            if (peers[i].LastSeen >= cutoff)
            {
                continue;
            }

            _index.Remove(peers[i].Id);
            var last = count - 1;
            if (i != last)
            {
                peers[i] = peers[last];
                _index[peers[i].Id] = i | bit;
            }

            peers[last] = default;
            count = last;
            removed++;
        }

        Shrink(ref peers, count);
        if (removed > 0 && PeerCount == 0)
        {
            _index.TrimExcess();
        }

        return removed;
    }

    private static void Shrink(ref PeerRecord[] peers, int count)
    {
        // Give memory back after churn, with hysteresis so a swarm hovering at a size does not thrash.
        if (peers.Length > MinCapacity * 4 && count < peers.Length / 4)
        {
            Array.Resize(ref peers, Math.Max(MinCapacity, peers.Length / 2));
        }
    }
}
