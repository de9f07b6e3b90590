using System.Buffers.Binary;
using System.Collections.Concurrent;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>The IP allow-list held in memory for the hot path, kept in step with an <see cref="IIpAllowListStore"/>.</summary>
/// <remarks>
/// Entries are keyed by their masked range; a lookup masks the client's address once per prefix length
/// in use (usually one or two: /32 and /24, say) and probes a dictionary each time. No allocation.
/// An entry unused for the configured time is treated as absent at once and retired from the store by <see cref="RetireExpiredAsync"/>.
/// Changes carry versions and removals are kept as tombstones (<see cref="ChangeVersion"/>), and last use only moves
/// forward, so changes made here, read from the store and received from other regions merge alike in any order.
/// </remarks>
public sealed class IpAllowList(IIpAllowListStore store, TimeProvider time)
{
    private readonly ConcurrentDictionary<IpRange, IpAllowEntry> _entries = new();

    // Under _gate: the latest change known for each range, removals included.
    private readonly Dictionary<IpRange, IpAllowRecord> _known = [];
    private readonly Lock _gate = new();
    private volatile byte[] _prefixes = [];
    private long _clock;

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

    /// <summary>Adds (or renews) an entry; null when <paramref name="text"/> is neither an address nor a CIDR range.</summary>
    public async ValueTask<IpAllowEntry?> AddAsync(string text, string? note, CancellationToken cancellationToken)
    {
        if (!IpRange.TryParse(text, out var range, out var canonical))
        {
            return null;
        }

        var now = time.GetUtcNow();
        await ChangeAsync(new IpAllowRecord(canonical, note, now, now), cancellationToken);
        return _entries.TryGetValue(range, out var entry) ? entry : null;
    }

    /// <summary>Removes an entry (a tombstone is stored); false when the list does not hold it.</summary>
    public async ValueTask<bool> RemoveAsync(string text, CancellationToken cancellationToken)
    {
        if (!IpRange.TryParse(text, out var range, out _))
        {
            return false;
        }

        var live = Live(range);
        if (live is null)
        {
            // Perhaps added on another instance since the last refresh.
            await RefreshAsync(cancellationToken);
            live = Live(range);
            if (live is null)
            {
                return false;
            }
        }

        await ChangeAsync(live with { Removed = true }, cancellationToken);
        return true;
    }

    /// <summary>Takes a change already stored (from the store, or another region through sync): applied when it is the
    /// latest known; its last use is merged either way. False when <paramref name="record"/> names no range.</summary>
    public bool Apply(IpAllowRecord record)
    {
        if (!IpRange.TryParse(record.Entry, out var range, out var canonical))
        {
            return false;
        }

        lock (_gate)
        {
            if (ApplyLocked(range, record with { Entry = canonical }))
            {
                RebuildPrefixes();
            }
        }

        return true;
    }

    /// <summary>Takes a use reported elsewhere (another region, already stored): the entry's last use moves forward.</summary>
    public void ApplyUse(string text, DateTimeOffset lastUsedAt)
    {
        if (IpRange.TryParse(text, out var range, out _))
        {
            MergeUse(range, Seconds(lastUsedAt));
        }
    }

    /// <summary>Re-reads the list from the store (last use is the later of the store's and this instance's) and forgets
    /// removals older than <see cref="ChangeVersion.TombstoneRetention"/>.</summary>
    public async ValueTask RefreshAsync(CancellationToken cancellationToken)
    {
        List<IpRange> before;
        lock (_gate)
        {
            before = [.. _known.Keys];
        }

        var records = await store.ListAsync(cancellationToken);
        var seen = new HashSet<IpRange>();
        var now = time.GetUtcNow();
        var forgettable = new List<IpAllowRecord>();
        lock (_gate)
        {
            foreach (var record in records)
            {
                if (!IpRange.TryParse(record.Entry, out var range, out var canonical))
                {
                    continue;
                }

                seen.Add(range);
                ApplyLocked(range, record with { Entry = canonical });
                if (record.Removed && ChangeVersion.IsForgettable(record.Version, now))
                {
                    forgettable.Add(record);
                }
            }
        }

        foreach (var record in forgettable)
        {
            await store.DeleteAsync(record.Entry, record.Version, DateTimeOffset.MaxValue, cancellationToken);
        }

        // Gone from the store (retired by another instance, a forgotten removal, deleted by hand): gone here too.
        lock (_gate)
        {
            foreach (var range in before)
            {
                if (!seen.Contains(range) && _known.Remove(range))
                {
                    _entries.TryRemove(range, out _);
                }
            }

            RebuildPrefixes();
        }
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
            entry.SavedLastUsed = Math.Max(entry.SavedLastUsed, lastUsed);
        }

        return uses.Length;
    }

    /// <summary>Removes entries unused for longer than <paramref name="expirySeconds"/> from the store and from memory.</summary>
    /// <remarks>Retiring is not a change that is synced: every region retires an entry by itself once its last use, which
    /// sync shares, is old enough. An entry that was renewed or used since is kept (the store's copy wins).</remarks>
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
            if (!entry.IsExpired(now, expirySeconds))
            {
                continue;
            }

            long version;
            lock (_gate)
            {
                version = _known.TryGetValue(range, out var known) ? known.Version : 0;
            }

            if (await store.DeleteAsync(entry.Entry, version, entry.LastUsedAt, cancellationToken))
            {
                lock (_gate)
                {
                    if (_entries.TryGetValue(range, out var current) && ReferenceEquals(current, entry) && entry.IsExpired(now, expirySeconds))
                    {
                        _entries.TryRemove(range, out _);
                        _known.Remove(range);
                        retired.Add(entry.Entry);
                    }
                }
            }
        }

        if (retired.Count > 0)
        {
            lock (_gate)
            {
                RebuildPrefixes();
            }
        }

        return retired;
    }

    /// <summary>Stores a change made here with a new version (again with a newer one if the store held a later change), then applies it.</summary>
    private async ValueTask ChangeAsync(IpAllowRecord record, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            record = record with { Version = ChangeVersion.Next(time, ref _clock) };
            if (await store.PutAsync(record, cancellationToken) || attempt == 2)
            {
                Apply(record);
                return;
            }

            // Another instance or region changed it with a version ahead of our clock: learn it, then go after it.
            await RefreshAsync(cancellationToken);
        }
    }

    /// <summary>Applies a change to the live entries (with <see cref="_gate"/> held); true when the set of ranges changed.</summary>
    private bool ApplyLocked(IpRange range, IpAllowRecord record)
    {
        ChangeVersion.Observe(ref _clock, record.Version);
        if (_known.TryGetValue(range, out var known) && !record.Supersedes(known))
        {
            MergeUse(range, Seconds(record.LastUsedAt));
            return false;
        }

        _known[range] = record;
        if (record.Removed)
        {
            return _entries.TryRemove(range, out _);
        }

        var entry = new IpAllowEntry(range, record);
        var existed = _entries.TryGetValue(range, out var previous);
        if (existed)
        {
            entry.Merge(previous!.LastUsed);
            entry.SavedLastUsed = Math.Max(entry.SavedLastUsed, previous.SavedLastUsed);
        }

        _entries[range] = entry;
        return !existed;
    }

    /// <summary>The live entry of <paramref name="range"/> as its latest change, with its last use; null when none.</summary>
    private IpAllowRecord? Live(IpRange range)
    {
        lock (_gate)
        {
            return _entries.TryGetValue(range, out var entry) && _known.TryGetValue(range, out var known) && !known.Removed
                ? known with { LastUsedAt = entry.LastUsedAt }
                : null;
        }
    }

    private void MergeUse(IpRange range, uint lastUsed)
    {
        if (_entries.TryGetValue(range, out var entry))
        {
            entry.Merge(lastUsed);
            entry.SavedLastUsed = Math.Max(entry.SavedLastUsed, lastUsed);
        }
    }

    private static uint Seconds(DateTimeOffset at) => (uint)Math.Clamp(at.ToUnixTimeSeconds(), 0, uint.MaxValue);

    /// <summary>Rebuilds the prefix lengths in use (with <see cref="_gate"/> held).</summary>
    private void RebuildPrefixes()
    {
        var set = new SortedSet<byte>(Comparer<byte>.Create(static (a, b) => b.CompareTo(a)));
        foreach (var range in _entries.Keys)
        {
            set.Add(range.Prefix);
        }

        _prefixes = [.. set];
    }
}
