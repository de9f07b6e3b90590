namespace ServerlessTracker.Engine.Policy;

/// <summary>Versions of operator data changes, for last-writer-wins merges between instances and regions.</summary>
/// <remarks>
/// A version is Unix milliseconds at the instance that made the change, but always larger than every version that
/// instance has seen (a hybrid logical clock), so a change made after seeing another one wins over it everywhere, even
/// across clocks that disagree. Equal versions: a removal wins over an add, otherwise the two are taken as the same
/// change. A removal is kept as a tombstone for <see cref="TombstoneRetention"/>, so that an add delivered late (sync
/// delivers at least once, in any order) cannot bring a removed entry back.
/// </remarks>
public static class ChangeVersion
{
    /// <summary>How long a removal is remembered: far longer than Event Grid retries a delivery (24 h at most) and than
    /// many resync rounds, after which every region has it.</summary>
    public static readonly TimeSpan TombstoneRetention = TimeSpan.FromDays(7);

    /// <summary>Whether a change (<paramref name="version"/>, <paramref name="removed"/>) replaces the stored one.</summary>
    public static bool Supersedes(long version, bool removed, long storedVersion, bool storedRemoved) =>
        version > storedVersion || (version == storedVersion && removed && !storedRemoved);

    /// <summary>A version for a change made now: the clock's time, or one more than the largest version seen.</summary>
    public static long Next(TimeProvider time, ref long clock)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        while (true)
        {
            var seen = Interlocked.Read(ref clock);
            var next = Math.Max(now, seen + 1);
            if (Interlocked.CompareExchange(ref clock, next, seen) == seen)
            {
                return next;
            }
        }
    }

    /// <summary>Records a version seen (in the store, from another region), so later local changes are newer.</summary>
    public static void Observe(ref long clock, long version)
    {
        var seen = Interlocked.Read(ref clock);
        while (version > seen)
        {
            var current = Interlocked.CompareExchange(ref clock, version, seen);
            if (current == seen)
            {
                return;
            }

            seen = current;
        }
    }

    /// <summary>Whether a tombstone of this version is old enough to forget at <paramref name="now"/>.</summary>
    public static bool IsForgettable(long version, DateTimeOffset now) =>
        version < (now - TombstoneRetention).ToUnixTimeMilliseconds();
}
