using System.Runtime.InteropServices;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Swarms;

/// <summary>What a swarm reads for every announce and peer selection: 48 bytes, no references.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct PeerEntry
{
    public PeerId Id;
    public PeerAddress Address;
    public ushort Port;
    public PeerFlags Flags;
    private readonly byte _reserved;
    public uint Key;

    /// <summary>Last announce, in seconds since the Unix epoch.</summary>
    public uint LastSeen;
}

/// <summary>What only accounting reads (private mode): the session's counters at the last announce and the passkey's tag.</summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct PeerCounters
{
    public long Uploaded;
    public long Downloaded;
    public uint Owner;
}

/// <summary>One of a swarm's two peer lists (its seeders or its leechers), packed in order: removal swaps the last entry in.</summary>
/// <remarks>
/// The entries are what every announce reads; the counters live in a parallel array that exists only once some peer of
/// the list has counters worth keeping (an accounted announce, a row or change that carries them), so an open tracker pays
/// 48 bytes a peer and a private one 68. A peer without kept counters has zero counters and no owner, which is what an
/// open tracker's accounting would see. Arrays grow by an eighth once past a few dozen entries (amortised, a few copies of
/// each entry over a swarm's life) rather than doubling, because the slack of doubling would be a third of the memory.
/// </remarks>
internal sealed class PeerTable
{
    private const int MinCapacity = 4;

    private PeerEntry[] _entries = [];
    private PeerCounters[]? _counters;

    public int Count { get; private set; }

    /// <summary>Bytes held by the arrays (capacity, not count).</summary>
    public long Bytes => ((long)_entries.Length * Marshal.SizeOf<PeerEntry>()) + ((long)(_counters?.Length ?? 0) * Marshal.SizeOf<PeerCounters>());

    public ref PeerEntry this[int index] => ref _entries[index];

    public PeerCounters CountersAt(int index) => _counters is null ? default : _counters[index];

    /// <summary>Keeps counters for the entry at <paramref name="index"/>; zero counters and no owner need no array.</summary>
    public void SetCounters(int index, long uploaded, long downloaded, uint owner)
    {
        if (_counters is null)
        {
            if (uploaded == 0 && downloaded == 0 && owner == 0)
            {
                return;
            }

            _counters = new PeerCounters[_entries.Length];
        }

        _counters[index] = new PeerCounters { Uploaded = uploaded, Downloaded = downloaded, Owner = owner };
    }

    public PeerRecord RecordAt(int index)
    {
        ref readonly var entry = ref _entries[index];
        var counters = CountersAt(index);
        return new PeerRecord
        {
            Id = entry.Id,
            Address = entry.Address,
            Port = entry.Port,
            Flags = entry.Flags,
            Key = entry.Key,
            LastSeen = entry.LastSeen,
            Uploaded = counters.Uploaded,
            Downloaded = counters.Downloaded,
            Owner = counters.Owner,
        };
    }

    /// <summary>Appends a peer and returns its index.</summary>
    public int Add(in PeerRecord peer)
    {
        if (Count == _entries.Length)
        {
            Resize(Count < 64 ? Math.Max(MinCapacity, Count * 2) : Count + (Count / 8));
        }

        var index = Count++;
        _entries[index] = new PeerEntry
        {
            Id = peer.Id,
            Address = peer.Address,
            Port = peer.Port,
            Flags = peer.Flags,
            Key = peer.Key,
            LastSeen = peer.LastSeen,
        };
        if (_counters is not null)
        {
            _counters[index] = default;
        }

        SetCounters(index, peer.Uploaded, peer.Downloaded, peer.Owner);
        return index;
    }

    /// <summary>Removes the entry at <paramref name="index"/> by moving the last one into its place; returns whether an
    /// entry moved (then it is now at <paramref name="index"/>).</summary>
    public bool RemoveAt(int index)
    {
        var last = Count - 1;
        var moved = index != last;
        if (moved)
        {
            _entries[index] = _entries[last];
            if (_counters is not null)
            {
                _counters[index] = _counters[last];
            }
        }

        _entries[last] = default;
        if (_counters is not null)
        {
            _counters[last] = default;
        }

        Count = last;
        return moved;
    }

    /// <summary>Gives memory back after churn, with hysteresis so a list hovering at a size does not thrash.</summary>
    public void Shrink()
    {
        if (_entries.Length > MinCapacity * 4 && Count < _entries.Length / 2)
        {
            Resize(Math.Max(MinCapacity, Count + (Count / 4)));
        }

        if (Count == 0)
        {
            _counters = null;
        }
    }

    private void Resize(int capacity)
    {
        Array.Resize(ref _entries, capacity);
        if (_counters is not null)
        {
            Array.Resize(ref _counters, capacity);
        }
    }
}
