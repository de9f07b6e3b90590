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
