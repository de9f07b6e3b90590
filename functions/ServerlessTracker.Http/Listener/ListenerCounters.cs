namespace ServerlessTracker.Http.Listener;

/// <summary>What the tracker listener did since start.</summary>
public sealed class ListenerCounters
{
    private long _accepted;
    private long _served;
    private long _rejected;
    private long _slow;
    private long _dropped;
    private long _timedOut;
    private long _handedOff;

    public ListenerCounters()
    {
    }

    /// <summary>Counters published on <see cref="Hosting.TransportMeter"/> as <c>tracker.http.listener</c>.</summary>
    public ListenerCounters(System.Diagnostics.Metrics.IMeterFactory meters)
    {
        Hosting.TransportMeter.Observe(meters, "tracker.http.listener", "What the tracker listener did, by outcome.",
            ("accepted", () => Accepted), ("served", () => Served), ("rejected", () => Rejected),
            ("slow", () => Slow), ("dropped", () => Dropped), ("timed_out", () => TimedOut), ("handed_off", () => HandedOff));
    }

    /// <summary>Connections accepted.</summary>
    public long Accepted => Volatile.Read(ref _accepted);

    /// <summary>Announces and scrapes answered (refusals of the rate limit included).</summary>
    public long Served => Volatile.Read(ref _served);

    /// <summary>Requests answered with 404 or 400: another path or method, or bytes that are no tracker request.</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Connections handed to the asynchronous path: a head in pieces, an answer the client did not take at once, a store that did not answer at once.</summary>
    public long Slow => Volatile.Read(ref _slow);

    /// <summary>Connections closed unanswered because too many were already on the asynchronous path.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Slow connections closed because their head or answer took longer than the head timeout.</summary>
    public long TimedOut => Volatile.Read(ref _timedOut);

    /// <summary>Connections handed to Kestrel on a port the listener shares with it.</summary>
    public long HandedOff => Volatile.Read(ref _handedOff);

    internal void CountHandedOff() => Interlocked.Increment(ref _handedOff);

    internal void CountAccepted() => Interlocked.Increment(ref _accepted);

    internal void CountServed() => Interlocked.Increment(ref _served);

    internal void CountRejected() => Interlocked.Increment(ref _rejected);

    internal void CountSlow() => Interlocked.Increment(ref _slow);

    internal void CountDropped() => Interlocked.Increment(ref _dropped);

    internal void CountTimedOut() => Interlocked.Increment(ref _timedOut);
}
