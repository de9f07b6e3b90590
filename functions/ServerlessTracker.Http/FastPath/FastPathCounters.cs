namespace ServerlessTracker.Http.FastPath;

/// <summary>What the connection fast path did since start: requests it served, connections it handed to Kestrel, connections it timed out.</summary>
public sealed class FastPathCounters
{
    private long _served;
    private long _handedOff;
    private long _timedOut;

    public FastPathCounters()
    {
    }

    /// <summary>Counters published on <see cref="Hosting.TransportMeter"/> as <c>tracker.http.fast_path</c>.</summary>
    public FastPathCounters(System.Diagnostics.Metrics.IMeterFactory meters)
    {
        Hosting.TransportMeter.Observe(meters, "tracker.http.fast_path", "What the connection fast path did, by outcome.",
            ("served", () => Served), ("handed_off", () => HandedOff), ("timed_out", () => TimedOut));
    }

    /// <summary>Announces and scrapes answered on the fast path.</summary>
    public long Served => Volatile.Read(ref _served);

    /// <summary>Connections given to Kestrel's HTTP pipeline (at their first request that is not a plain tracker GET).</summary>
    public long HandedOff => Volatile.Read(ref _handedOff);

    /// <summary>Connections closed because a request head or an answer took longer than Kestrel's limits allow.</summary>
    public long TimedOut => Volatile.Read(ref _timedOut);

    internal void CountServed() => Interlocked.Increment(ref _served);

    internal void CountHandedOff() => Interlocked.Increment(ref _handedOff);

    internal void CountTimedOut() => Interlocked.Increment(ref _timedOut);
}
