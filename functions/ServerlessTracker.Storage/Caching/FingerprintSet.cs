namespace ServerlessTracker.Storage.Caching;

/// <summary>A set of 64-bit fingerprints in one open-addressed array (linear probing): 8 bytes a slot, at most 70 % full
/// counting removed slots. Lookups take no lock and allocate nothing; changes take one.</summary>
/// <remarks>Values 0 (empty) and 1 (removed) are reserved: fingerprints below 2 are moved up by 2. A lookup racing a change
/// may miss what is being added, never find what was not added. The array is replaced (published whole) when it grows.</remarks>
internal sealed class FingerprintSet
{
    private const ulong Empty = 0;
    private const ulong Removed = 1;
    private const int MinSlots = 1024;

    private readonly Lock _gate = new();
    private ulong[] _slots;
    private int _count;
    private int _used;

    public FingerprintSet(int capacity = 0)
    {
        _slots = new ulong[SlotsFor(capacity)];
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Bytes held by the slots.</summary>
    public long Bytes => (long)Volatile.Read(ref _slots).Length * sizeof(ulong);

    public bool Contains(ulong fingerprint)
    {
        fingerprint = Normal(fingerprint);
        var slots = Volatile.Read(ref _slots);
        var mask = slots.Length - 1;
        for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
        {
            var value = Volatile.Read(ref slots[i]);
            if (value == fingerprint)
            {
                return true;
            }

            if (value == Empty)
            {
                return false;
            }
        }
    }

    public bool Add(ulong fingerprint)
    {
        fingerprint = Normal(fingerprint);
        lock (_gate)
        {
            if ((_used + 1) * 10L > _slots.Length * 7L)
            {
                Rebuild(SlotsFor(_count + 1));
            }

            var mask = _slots.Length - 1;
            var free = -1;
            for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
            {
                var value = _slots[i];
                if (value == fingerprint)
                {
                    return false;
                }

                if (value == Removed && free < 0)
                {
                    free = i;
                }
                else if (value == Empty)
                {
                    if (free < 0)
                    {
                        free = i;
                        _used++;
                    }

                    Volatile.Write(ref _slots[free], fingerprint);
                    _count++;
                    return true;
                }
            }
        }
    }

    public bool Remove(ulong fingerprint)
    {
        fingerprint = Normal(fingerprint);
        lock (_gate)
        {
            var mask = _slots.Length - 1;
            for (var i = (int)fingerprint & mask; ; i = (i + 1) & mask)
            {
                var value = _slots[i];
                if (value == fingerprint)
                {
                    Volatile.Write(ref _slots[i], Removed);
                    _count--;
                    return true;
                }

                if (value == Empty)
                {
                    return false;
                }
            }
        }
    }

    private static ulong Normal(ulong fingerprint) => fingerprint < 2 ? fingerprint + 2 : fingerprint;

    /// <summary>A power of two that holds <paramref name="count"/> at half full.</summary>
    private static int SlotsFor(int count) => (int)Math.Min(1 << 30, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinSlots, count * 2)));

    private void Rebuild(int size)
    {
        var slots = new ulong[size];
        var mask = size - 1;
        foreach (var value in _slots)
        {
            if (value <= Removed)
            {
                continue;
            }

            var i = (int)value & mask;
            while (slots[i] != Empty)
            {
                i = (i + 1) & mask;
            }

            slots[i] = value;
        }

        _used = _count;
        Volatile.Write(ref _slots, slots);
    }
}
