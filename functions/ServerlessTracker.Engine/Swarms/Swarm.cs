using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>The peers of one torrent and the announce rules over them. Not thread-safe: callers lock the instance.</summary>
/// <remarks>
/// Seeders and leechers live in two <see cref="PeerTable"/>s of inline 48-byte entries (counters for accounting beside
/// them, only where kept), so counting is free, a seeder is offered only leechers without scanning seeders, and removal is
/// a swap with the last element. An open-addressing index maps each peer id to its list and position. At a million peers
/// this is under 64 bytes a peer on an open tracker.
/// </remarks>
public sealed partial class Swarm
{
    private const int SeederBit = 1 << 30;

    // Neighbouring entries peer selection reads together (see SelectPeers): 8 of 48 bytes, six cache lines.
    private const int SelectionBlock = 8;

    private readonly PeerTable _leechers = new();
    private readonly PeerTable _seeders = new();

    /// <summary>Completed downloads counted for this torrent.</summary>
    public long Downloaded { get; set; }

    /// <summary>Last change, in seconds since the Unix epoch.</summary>
    public uint LastActivity { get; set; }

    /// <summary>Set by a store when it drops this swarm; a caller holding it must look the swarm up again.</summary>
    public bool Detached { get; set; }

    public int SeederCount => _seeders.Count;

    public int LeecherCount => _leechers.Count;

    public int PeerCount => _seeders.Count + _leechers.Count;

    public SwarmCounts Counts => new(_seeders.Count, _leechers.Count, Downloaded);

    /// <summary>Roughly the managed memory the swarm holds, in bytes: its record arrays (capacity, not count), the peer index
    /// and the replication and accounting bookkeeping. For caches that bound their memory.</summary>
    public long ApproximateBytes =>
        240 + _leechers.Bytes + _seeders.Bytes + ((long)_cells.Length * sizeof(int)) + ((long)TombstoneCount * 48)
        + ((long)(_sessions?.Count ?? 0) * 56);

    /// <summary>Applies an announce and fills <paramref name="result"/> with counts and a random peer sample.</summary>
    /// <param name="peersHeld">The swarm's size when this copy holds only part of it (a store's window of a large swarm),
    /// for <see cref="SwarmSettings.MaxPeersPerSwarm"/>; negative when this copy is the whole swarm.</param>
    public void Announce(in AnnounceCommand command, uint now, SwarmSettings settings, Random random, AnnounceResult result, long peersHeld = -1)
    {
        var exists = TryFind(command.PeerId, out var slot);
        if (exists && RefusesKey(EntryAt(slot), command.Address, command.HasKey, command.Key, command.AddressClaimed))
        {
            result.Status = AnnounceStatus.KeyMismatch;
            result.Counts = Counts;
            return;
        }

        if (exists && IsAnsweredFromSwarm(EntryAt(slot), CountersAt(slot), (slot & SeederBit) != 0, command, now, settings))
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
                var leaving = CountersAt(slot);
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
            var counters = CountersAt(slot);
            SetDeltas(result, counters.Uploaded, counters.Downloaded, command);
            Refresh(slot, command, now, result);
            var wasSeeder = (slot & SeederBit) != 0;
            if (wasSeeder != command.IsSeeder)
            {
                var moved = RecordAt(slot);
                RemoveAt(slot);
                Insert(moved, command.IsSeeder);
            }

            result.Change = PeerChange.Updated;
        }
        else
        {
            SetNewcomerDeltas(result, command);
            Refresh(Insert(new PeerRecord { Id = command.PeerId }, command.IsSeeder), command, now, result);
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
        if (TryFind(peer.Id, out var slot))
        {
            if (((slot & SeederBit) != 0) == seeder)
            {
                ref var entry = ref EntryAt(slot);
                entry.Address = peer.Address;
                entry.Port = peer.Port;
                entry.Flags = peer.Flags;
                entry.Key = peer.Key;
                entry.LastSeen = peer.LastSeen;
                TableOf(slot).SetCounters(slot & ~SeederBit, peer.Uploaded, peer.Downloaded, peer.Owner);
                return;
            }

            RemoveAt(slot);
        }

        Insert(peer, seeder);
    }

    public bool TryGet(PeerId id, out PeerRecord peer, out bool seeder)
    {
        if (TryFind(id, out var slot))
        {
            peer = RecordAt(slot);
            seeder = (slot & SeederBit) != 0;
            return true;
        }

        peer = default;
        seeder = false;
        return false;
    }

    public bool Remove(PeerId id)
    {
        if (!TryFind(id, out var slot))
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
        var removed = RemoveExpired(_leechers, 0, cutoff) + RemoveExpired(_seeders, SeederBit, cutoff);
        ShrinkIndex();
        return removed;
    }

    /// <summary>Copies up to <paramref name="max"/> peers (leechers first) for inspection.</summary>
    public List<(PeerRecord Peer, bool Seeder)> ListPeers(int max)
    {
        var peers = new List<(PeerRecord, bool)>(Math.Min(max, PeerCount));
        for (var i = 0; i < _leechers.Count && peers.Count < max; i++)
        {
            peers.Add((_leechers.RecordAt(i), false));
        }

        for (var i = 0; i < _seeders.Count && peers.Count < max; i++)
        {
            peers.Add((_seeders.RecordAt(i), true));
        }

        return peers;
    }

    private void Refresh(int slot, in AnnounceCommand command, uint now, AnnounceResult result)
    {
        // Counters are kept for accounting only: an open tracker's announces keep none (and clear any left from a row).
        TableOf(slot).SetCounters(slot & ~SeederBit, command.Accounted ? command.Uploaded : 0, command.Accounted ? command.Downloaded : 0, command.Owner);
        ref var peer = ref EntryAt(slot);
        peer.Address = command.Address;
        peer.Port = command.Port;
        peer.LastSeen = now;
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
    private static bool RefusesKey(in PeerEntry current, PeerAddress address, bool hasKey, uint key, bool addressClaimed = false) =>
        (current.Flags & PeerFlags.HasKey) != 0 && (addressClaimed || current.Address != address) && (!hasKey || key != current.Key);

    private void SelectPeers(in AnnounceCommand command, int numWant, uint cutoff, Random random, AnnounceResult result)
    {
        // Seeders get only leechers; leechers get both (leechers first in the virtual range).
        var leechers = _leechers.Count;
        var total = command.IsSeeder ? leechers : leechers + _seeders.Count;
        numWant = Math.Min(numWant, result.Capacity);
        if (total == 0 || numWant == 0)
        {
            return;
        }

        // The range is cut into blocks of neighbouring entries, visited in a random order (a random start and a random
        // stride coprime to their count), each read from the same random offset, wrapping: every peer is as likely to be
        // offered, none twice. Scattered single entries were a cache miss each, one waiting for the next (peer selection
        // was 10-14 % of a kept-alive announce). A block is a few adjacent lines, and every block the sample should need
        // is read before the first is used, so that their misses overlap; then one more block ahead for each used, in
        // case peers are skipped (docs/benchmark.md). Volatile reads, so that the compiler keeps reads nobody uses.
        var blocks = (total + SelectionBlock - 1) / SelectionBlock;
        var block = random.Next(blocks);
        var stride = blocks <= 2 ? 1 : CoprimeStride(blocks, random);
        var offset = random.Next(SelectionBlock);
        var taken = 0;
        var warm = Math.Min(blocks, ((numWant + SelectionBlock - 1) / SelectionBlock) + 1);
        var ahead = block;
        for (var k = 0; k < warm; k++)
        {
            TouchBlock(ahead, total, leechers);
            ahead = Step(ahead, stride, blocks);
        }

        for (var visited = 0; visited < blocks && taken < numWant; visited++)
        {
            if (visited + warm < blocks)
            {
                TouchBlock(ahead, total, leechers);
                ahead = Step(ahead, stride, blocks);
            }

            var first = block * SelectionBlock;
            var size = Math.Min(SelectionBlock, total - first);
            var at = offset < size ? offset : offset % size;
            for (var i = 0; i < size && taken < numWant; i++)
            {
                ref readonly var peer = ref EntryInRange(first + at, leechers);
                at = at + 1 == size ? 0 : at + 1;
                if (peer.LastSeen < cutoff || peer.Id == command.PeerId || (peer.Port == command.Port && peer.Address == command.Address))
                {
                    continue;
                }

                var family = peer.Address.IsIPv4 ? AddressFamilies.IPv4 : AddressFamilies.IPv6;
                if ((command.Families & family) == 0)
                {
                    continue;
                }

                result.TryAdd(peer.Id, peer.Address, peer.Port);
                taken++;
            }

            block = Step(block, stride, blocks);
        }
    }

    /// <summary>Reads every entry of a block, so that its lines are on their way to the cache before they are needed.</summary>
    private void TouchBlock(int block, int total, int leechers)
    {
        var end = Math.Min(total, (block + 1) * SelectionBlock);
        for (var position = block * SelectionBlock; position < end; position++)
        {
            _ = Volatile.Read(ref EntryInRange(position, leechers).LastSeen);
        }
    }

    /// <summary>The entry at a position of the virtual range: leechers first, then seeders.</summary>
    private ref PeerEntry EntryInRange(int position, int leechers) =>
        ref position < leechers ? ref _leechers[position] : ref _seeders[position - leechers];

    private static int Step(int position, int stride, int total)
    {
        position += stride;
        return position >= total ? position - total : position;
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

    private PeerTable TableOf(int slot) => (slot & SeederBit) != 0 ? _seeders : _leechers;

    private PeerCounters CountersAt(int slot) => TableOf(slot).CountersAt(slot & ~SeederBit);

    private PeerRecord RecordAt(int slot) => TableOf(slot).RecordAt(slot & ~SeederBit);

    /// <summary>Appends a peer to its list and indexes it; returns its slot.</summary>
    private int Insert(in PeerRecord peer, bool seeder)
    {
        var slot = seeder ? _seeders.Add(peer) | SeederBit : _leechers.Add(peer);
        IndexAdd(peer.Id, slot);
        return slot;
    }

    private void RemoveAt(int slot)
    {
        var table = TableOf(slot);
        Unlink(table, slot & ~SeederBit, slot & SeederBit);
        table.Shrink();
        ShrinkIndex();
    }

    /// <summary>Removes an entry from its list and the index: the list's last entry takes its place.</summary>
    private void Unlink(PeerTable table, int index, int bit)
    {
        // The index compares ids where its cells point, so it changes while every entry is still where it points.
        IndexRemove(table[index].Id);
        var last = table.Count - 1;
        if (index != last)
        {
            IndexMove(table[last].Id, index | bit);
        }

        table.RemoveAt(index);
    }

    private int RemoveExpired(PeerTable table, int bit, uint cutoff)
    {
        var removed = 0;
        for (var i = table.Count - 1; i >= 0; i--)
        {
            if (table[i].LastSeen < cutoff)
            {
                Unlink(table, i, bit);
                removed++;
            }
        }

        table.Shrink();
        return removed;
    }
}
