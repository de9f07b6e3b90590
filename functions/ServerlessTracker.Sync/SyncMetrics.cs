using System.Diagnostics.Metrics;

namespace ServerlessTracker.Sync;

/// <summary>Sync's instruments on the <c>ServerlessTracker.Sync</c> meter, plus running totals for stats and tests.</summary>
public sealed class SyncMetrics : IDisposable
{
    public const string MeterName = "ServerlessTracker.Sync";

    private readonly Meter _meter;
    private readonly Counter<long> _published;
    private readonly Counter<long> _events;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _applied;
    private readonly Counter<long> _received;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _operatorPublished;
    private readonly Counter<long> _operatorDropped;
    private readonly Counter<long> _operatorReceived;
    private readonly Counter<long> _operatorApplied;
    private readonly Counter<long> _refused;
    private long _publishedTotal;
    private long _droppedTotal;
    private long _appliedTotal;
    private long _receivedTotal;
    private long _refusedTotal;
    private long _lastLagMs = -1;

    public SyncMetrics(IMeterFactory meters)
    {
        _meter = meters.Create(MeterName);
        _published = _meter.CreateCounter<long>("tracker.sync.changes.published", "{change}", "Peer changes published to this region's topic");
        _events = _meter.CreateCounter<long>("tracker.sync.events.published", "{event}", "CloudEvents published");
        _dropped = _meter.CreateCounter<long>("tracker.sync.changes.dropped", "{change}", "Peer changes dropped: queue full or publishing failed past its budget");
        _failures = _meter.CreateCounter<long>("tracker.sync.publish.failures", "{attempt}", "Failed publish attempts");
        _received = _meter.CreateCounter<long>("tracker.sync.changes.received", "{change}", "Peer changes received from other regions");
        _applied = _meter.CreateCounter<long>("tracker.sync.changes.applied", "{change}", "Received peer changes that changed something");
        _lag = _meter.CreateHistogram<double>("tracker.sync.lag", "ms", "From the origin announce to applying it here");
        _operatorPublished = _meter.CreateCounter<long>("tracker.sync.operator.published", "{change}", "Operator changes (passkeys, figures, list entries) published, resyncs included");
        _operatorDropped = _meter.CreateCounter<long>("tracker.sync.operator.dropped", "{change}", "Operator changes dropped: queue full or publishing failed past its budget (the next resync sends them again)");
        _operatorReceived = _meter.CreateCounter<long>("tracker.sync.operator.received", "{change}", "Operator changes received from other regions");
        _operatorApplied = _meter.CreateCounter<long>("tracker.sync.operator.applied", "{change}", "Received operator changes that changed something");
        _refused = _meter.CreateCounter<long>("tracker.sync.changes.refused", "{change}",
            "Changes from other regions refused because they are dated beyond now plus Tracker:Sync:MaxClockSkewSeconds (tag kind: peer or operator)");
    }

    public long PublishedTotal => Interlocked.Read(ref _publishedTotal);

    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    public long AppliedTotal => Interlocked.Read(ref _appliedTotal);

    public long ReceivedTotal => Interlocked.Read(ref _receivedTotal);

    /// <summary>Changes refused for being dated in the future, peer and operator changes together.</summary>
    public long RefusedTotal => Interlocked.Read(ref _refusedTotal);

    /// <summary>Lag of the newest change in the latest delivery, in ms; -1 before any.</summary>
    public long LastLagMilliseconds => Interlocked.Read(ref _lastLagMs);

    public void Published(int changes)
    {
        _published.Add(changes);
        _events.Add(1);
        Interlocked.Add(ref _publishedTotal, changes);
    }

    public void Dropped(long changes)
    {
        _dropped.Add(changes);
        Interlocked.Add(ref _droppedTotal, changes);
    }

    public void PublishFailed() => _failures.Add(1);

    public void Received(int changes, int applied, long newestLagMs)
    {
        _received.Add(changes);
        _applied.Add(applied);
        Interlocked.Add(ref _receivedTotal, changes);
        Interlocked.Add(ref _appliedTotal, applied);
        if (changes > 0)
        {
            Interlocked.Exchange(ref _lastLagMs, newestLagMs);
        }
    }

    public void OperatorPublished(int changes) => _operatorPublished.Add(changes);

    public void OperatorDropped(long changes) => _operatorDropped.Add(changes);

    public void OperatorReceived(int changes, int applied)
    {
        _operatorReceived.Add(changes);
        _operatorApplied.Add(applied);
    }

    /// <summary>Counts changes refused for being dated beyond the allowed clock skew.</summary>
    public void Refused(int changes, bool operatorChanges)
    {
        if (changes == 0)
        {
            return;
        }

        _refused.Add(changes, new KeyValuePair<string, object?>("kind", operatorChanges ? "operator" : "peer"));
        Interlocked.Add(ref _refusedTotal, changes);
    }

    /// <summary>Records one change's lag: from its announce at the origin to being applied here.</summary>
    public void RecordLag(long milliseconds) => _lag.Record(milliseconds);

    public void Dispose() => _meter.Dispose();
}
