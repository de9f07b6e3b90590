using System.Buffers.Binary;
using System.Collections.Concurrent;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>One live IP allow-list entry; its last use is updated by the hot path without locks.</summary>
public sealed class IpAllowEntry
{
    private uint _lastUsed;

    internal IpAllowEntry(IpRange range, IpAllowRecord record)
    {
        Range = range;
        Entry = record.Entry;
        Note = record.Note;
        AddedAt = record.AddedAt;
        _lastUsed = (uint)Math.Max(0, record.LastUsedAt.ToUnixTimeSeconds());
        SavedLastUsed = _lastUsed;
    }

    public IpRange Range { get; }

    public string Entry { get; }

    public string? Note { get; }

    public DateTimeOffset AddedAt { get; }

    /// <summary>Last announce it let in, seconds since the Unix epoch.</summary>
    public uint LastUsed => Volatile.Read(ref _lastUsed);

    public DateTimeOffset LastUsedAt => DateTimeOffset.FromUnixTimeSeconds(LastUsed);

    internal uint SavedLastUsed { get; set; }

    internal void Touch(uint now)
    {
        // Write only when the second changed: a hot entry is then written about once a second, not once per announce.
        if (Volatile.Read(ref _lastUsed) < now)
        {
            Volatile.Write(ref _lastUsed, now);
        }
    }

    internal void Merge(uint stored)
    {
        var current = Volatile.Read(ref _lastUsed);
        while (stored > current)
        {
            var seen = Interlocked.CompareExchange(ref _lastUsed, stored, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }
    }

    /// <summary>Unused for longer than <paramref name="expirySeconds"/> (0: never expires).</summary>
    public bool IsExpired(uint now, long expirySeconds) => expirySeconds > 0 && now > LastUsed && now - LastUsed > expirySeconds;
}

/// <summary>The IP allow-list held in memory for the hot path, kept in step with an <see cref="IIpAllowListStore"/>.</summary>
/// <remarks>
/// Entries are keyed by their masked range; a lookup masks the client's address once per prefix length
/// in use (usually one or two: /32 and /24, say) and probes a dictionary each time. No allocation.
/// An entry unused for the configured time is treated as absent at once and retired from the store by <see cref="RetireExpiredAsync"/>.
/// </remarks>
public sealed class IpAllowList(IIpAllowListStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<IpRange, IpAllowEntry> _entries = new();
    private readonly Lock _prefixGate = new();
    private volatile byte[] _prefixes = [];

    public int Count => _entries.Count;

    /// <summary>The live entry holding <paramref name="address"/> (marked used at <paramref name="now"/>), or null when none or expired.</summary>
    public IpAllowEntry? Find(PeerAddress address, uint now, long expirySeconds)
    {
        var prefixes = _prefixes;
        if (prefixes.Length == 0)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        address.Write16(bytes);
        var high = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var low = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        foreach (var prefix in prefixes)
        {
            if (_entries.TryGetValue(IpRange.Of(high, low, prefix), out var entry) && !entry.IsExpired(now, expirySeconds))
            {
                entry.Touch(now);
                return entry;
            }
        }

        return null;
    }

    public List<IpAllowEntry> List() => [.. _entries.Values];

    /// <summary>Adds (or renews) an entry; false when <paramref name="text"/> is neither an address nor a CIDR range.</summary>
    public async ValueTask<IpAllowEntry?> AddAsync(string text, string? note, CancellationToken cancellationToken)
    {
        if (!IpRange.TryParse(text, out var range, out var canonical))
        {
            return null;
        }

        var now = time.GetUtcNow();
        var record = new IpAllowRecord(canonical, note, now, now);
        await store.PutAsync(record, cancellationToken);
        var entry = new IpAllowEntry(range, record);
        _entries[range] = entry;
        RebuildPrefixes();
        return entry;
    }

    public async ValueTask<bool> RemoveAsync(string text, CancellationToken cancellationToken)
    {
        if (!IpRange.TryParse(text, out var range, out var canonical))
        {
            return false;
        }

        var removed = await store.RemoveAsync(canonical, cancellationToken);
        removed |= _entries.TryRemove(range, out _);
        RebuildPrefixes();
        return removed;
    }

    /// <summary>Re-reads the list from the store; last use is the later of the store's and this instance's.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        var before = _entries.Keys;
        var records = await store.ListAsync(cancellationToken);
        var seen = new HashSet<IpRange>();
        foreach (var record in records)
        {
            if (!IpRange.TryParse(record.Entry, out var range, out _))
            {
                continue;
            }

            seen.Add(range);
            var stored = (uint)Math.Max(0, record.LastUsedAt.ToUnixTimeSeconds());
            if (_entries.TryGetValue(range, out var entry) && entry.AddedAt == record.AddedAt)
            {
                entry.Merge(stored);
                entry.SavedLastUsed = Math.Max(entry.SavedLastUsed, stored);
            }
            else
            {
                _entries[range] = new IpAllowEntry(range, record);
            }
        }

        foreach (var range in before)
        {
            if (!seen.Contains(range))
            {
                _entries.TryRemove(range, out _);
            }
        }

        RebuildPrefixes();
    }

    /// <summary>Writes last-use times that moved since the previous flush.</summary>
    public async ValueTask<int> FlushAsync(CancellationToken cancellationToken)
    {
        List<(IpAllowEntry Entry, uint LastUsed)>? moved = null;
        foreach (var entry in _entries.Values)
        {
            var lastUsed = entry.LastUsed;
            if (lastUsed > entry.SavedLastUsed)
            {
                (moved ??= []).Add((entry, lastUsed));
            }
        }

        if (moved is null)
        {
            return 0;
        }

        var uses = new (string, DateTimeOffset)[moved.Count];
        for (var i = 0; i < uses.Length; i++)
        {
            uses[i] = (moved[i].Entry.Entry, DateTimeOffset.FromUnixTimeSeconds(moved[i].LastUsed));
        }

        await store.TouchAsync(uses, cancellationToken);
        foreach (var (entry, lastUsed) in moved)
        {
            entry.SavedLastUsed = lastUsed;
        }

        return uses.Length;
    }

    /// <summary>Removes entries unused for longer than <paramref name="expirySeconds"/> from the store and from memory.</summary>
    public async ValueTask<List<string>> RetireExpiredAsync(long expirySeconds, CancellationToken cancellationToken)
    {
        var retired = new List<string>();
        if (expirySeconds <= 0)
        {
            return retired;
        }

        var now = UnixTime.Now(time);
        foreach (var (range, entry) in _entries)
        {
            if (entry.IsExpired(now, expirySeconds))
            {
                await store.RemoveAsync(entry.Entry, cancellationToken);
                _entries.TryRemove(range, out _);
                retired.Add(entry.Entry);
            }
        }

        if (retired.Count > 0)
        {
            RebuildPrefixes();
        }

        return retired;
    }

    private void RebuildPrefixes()
    {
        lock (_prefixGate)
        {
            var set = new SortedSet<byte>(Comparer<byte>.Create(static (a, b) => b.CompareTo(a)));
            foreach (var range in _entries.Keys)
            {
                set.Add(range.Prefix);
            }

            _prefixes = [.. set];
        }
    }
}
