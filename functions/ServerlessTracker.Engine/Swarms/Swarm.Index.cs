using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>The peer index: peer id → slot (list and position), an open-addressing table of 4-byte slots.</summary>
/// <remarks>
/// The ids live in the lists already, so the table holds only slots (plus one, 0 meaning empty) and compares ids where the
/// slots point: 4 bytes a cell at most three quarters full, against about 40 bytes a peer for a dictionary that repeats the
/// id. Linear probing with backward-shift deletion (no tombstones, so lookups stay short under churn). The hash is
/// <see cref="PeerId.GetHashCode"/>, seeded per process, so clients cannot choose ids that pile onto one run of cells.
/// </remarks>
public sealed partial class Swarm
{
    private const int MinIndexCapacity = 8;

    private int[] _cells = [];

    private int Home(PeerId id) => id.GetHashCode() & (_cells.Length - 1);

    private ref PeerEntry EntryAt(int slot) =>
        ref (slot & SeederBit) != 0 ? ref _seeders[slot & ~SeederBit] : ref _leechers[slot];

    /// <summary>The cell holding <paramref name="id"/>, or -1.</summary>
    private int FindCell(PeerId id)
    {
        if (_cells.Length == 0)
        {
            return -1;
        }

        var mask = _cells.Length - 1;
        for (var cell = Home(id); ; cell = (cell + 1) & mask)
        {
            var value = _cells[cell];
            if (value == 0)
            {
                return -1;
            }

            if (EntryAt(value - 1).Id == id)
            {
                return cell;
            }
        }
    }

    private bool TryFind(PeerId id, out int slot)
    {
        var cell = FindCell(id);
        slot = cell < 0 ? 0 : _cells[cell] - 1;
        return cell >= 0;
    }

    /// <summary>Indexes a peer id that is not indexed yet; its entry must be at <paramref name="slot"/> already (and counted).</summary>
    private void IndexAdd(PeerId id, int slot)
    {
        if (PeerCount * 4L > _cells.Length * 3L)
        {
            // The rebuilt table holds the new entry too.
            Reindex(Math.Max(MinIndexCapacity, _cells.Length * 2));
            return;
        }

        IndexInsert(id, slot);
    }

    /// <summary>Points an indexed id at its entry's new slot.</summary>
    private void IndexMove(PeerId id, int slot) => _cells[FindCell(id)] = slot + 1;

    /// <summary>Drops an id from the index; its entry must still be where the index points.</summary>
    private void IndexRemove(PeerId id)
    {
        var hole = FindCell(id);
        var mask = _cells.Length - 1;
        var cell = hole;
        while (true)
        {
            cell = (cell + 1) & mask;
            var value = _cells[cell];
            if (value == 0)
            {
                break;
            }

            // An entry may fill the hole unless its home lies cyclically after the hole and at or before its own cell.
            var home = Home(EntryAt(value - 1).Id);
            var stays = hole <= cell ? home > hole && home <= cell : home > hole || home <= cell;
            if (!stays)
            {
                _cells[hole] = value;
                hole = cell;
            }
        }

        _cells[hole] = 0;
    }

    /// <summary>Gives the index's memory back once the swarm has shrunk well below it.</summary>
    private void ShrinkIndex()
    {
        if (_cells.Length > MinIndexCapacity && PeerCount * 8L < _cells.Length)
        {
            Reindex(PeerCount == 0 ? 0 : Math.Max(MinIndexCapacity, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(PeerCount * 2))));
        }
    }

    private void Reindex(int capacity)
    {
        _cells = capacity == 0 ? [] : new int[capacity];
        for (var i = 0; i < _leechers.Count; i++)
        {
            IndexInsert(_leechers[i].Id, i);
        }

        for (var i = 0; i < _seeders.Count; i++)
        {
            IndexInsert(_seeders[i].Id, i | SeederBit);
        }
    }

    private void IndexInsert(PeerId id, int slot)
    {
        var mask = _cells.Length - 1;
        var cell = Home(id);
        while (_cells[cell] != 0)
        {
            cell = (cell + 1) & mask;
        }

        _cells[cell] = slot + 1;
    }
}
