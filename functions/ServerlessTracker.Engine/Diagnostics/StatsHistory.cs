namespace ServerlessTracker.Engine.Diagnostics;

/// <summary>One minute of history: announces per second over the minute by protocol, and the store's peers and swarms
/// at its end. <see cref="At"/> is the start of the minute (UTC, whole minutes), so instances' samples line up.</summary>
public readonly record struct HistorySample(DateTimeOffset At, double HttpAnnouncesPerSecond, double UdpAnnouncesPerSecond, long Peers, long Swarms);

/// <summary>This process's recent history, one sample per minute, in a fixed-size ring: the oldest sample makes room.</summary>
/// <remarks>Written once a minute by one sampler and read by the stats page: a lock is cheaper than being clever.</remarks>
public sealed class StatsHistory
{
    private readonly HistorySample[] _ring;
    private readonly Lock _gate = new();
    private int _next;
    private int _count;

    public StatsHistory(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _ring = new HistorySample[capacity];
    }

    /// <summary>The most samples kept (minutes).</summary>
    public int Capacity => _ring.Length;

    /// <summary>Adds a sample; one for the same minute as the latest replaces it (a late tick never makes two points of a minute).</summary>
    public void Add(HistorySample sample)
    {
        lock (_gate)
        {
            var last = (_next - 1 + _ring.Length) % _ring.Length;
            if (_count > 0 && _ring[last].At >= sample.At)
            {
                _ring[last] = sample with { At = _ring[last].At };
                return;
            }

            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>The samples, oldest first.</summary>
    public HistorySample[] ToArray()
    {
        lock (_gate)
        {
            var samples = new HistorySample[_count];
            var first = (_next - _count + _ring.Length) % _ring.Length;
            for (var i = 0; i < _count; i++)
            {
                samples[i] = _ring[(first + i) % _ring.Length];
            }

            return samples;
        }
    }
}

/// <summary>Turns the process's announce counters (<see cref="TrackerMetrics.Snapshot"/>) into one history sample a minute:
/// the announces between two samples over the seconds between them. Nothing is added to the request path.</summary>
public sealed class StatsHistoryRecorder
{
    private readonly TrackerMetrics _metrics;
    private readonly TimeProvider _time;
    private TrackerCounters _last;
    private DateTimeOffset _lastAt;

    public StatsHistoryRecorder(TrackerMetrics metrics, StatsHistory history, TimeProvider time)
    {
        _metrics = metrics;
        _time = time;
        History = history;
        _last = metrics.Snapshot();
        _lastAt = time.GetUtcNow();
    }

    public StatsHistory History { get; }

    /// <summary>Runs <paramref name="sample"/> at the start of every minute (UTC) on <paramref name="time"/> until stopped, so the
    /// samples of every instance fall on the same minutes.</summary>
    public static async Task EveryMinuteAsync(TimeProvider time, Func<CancellationToken, Task> sample, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            await Task.Delay(NextMinute(now) - now, time, stoppingToken).ConfigureAwait(false);
            await sample(stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>The start of the minute after <paramref name="now"/>: when the next sample is due.</summary>
    public static DateTimeOffset NextMinute(DateTimeOffset now) => Minute(now).AddMinutes(1);

    /// <summary><paramref name="at"/> truncated to its minute, in UTC.</summary>
    public static DateTimeOffset Minute(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
    }

    /// <summary>Records the minute that just ended with the store's current <paramref name="peers"/> and <paramref name="swarms"/>.</summary>
    public HistorySample Record(long peers, long swarms)
    {
        var now = _time.GetUtcNow();
        var counters = _metrics.Snapshot();
        // At least a second, so a sample right after start does not turn a handful of requests into thousands per second.
        var seconds = Math.Max((now - _lastAt).TotalSeconds, 1);
        // The sample covers the minute before the tick: a tick at 12:01:00.02 records 12:00.
        var sample = new HistorySample(
            Minute(now - TimeSpan.FromSeconds(30)),
            Rate(counters.HttpAnnounces - _last.HttpAnnounces, seconds),
            Rate(counters.UdpAnnounces - _last.UdpAnnounces, seconds),
            peers,
            swarms);
        _last = counters;
        _lastAt = now;
        History.Add(sample);
        return sample;
    }

    private static double Rate(long delta, double seconds) => Math.Round(Math.Max(delta, 0) / seconds, 3);
}

/// <summary>The history of one instance as its region's shared store holds it.</summary>
public sealed record InstanceHistory(string Instance, DateTimeOffset UpdatedAt, IReadOnlyList<HistorySample> Samples);

/// <summary>Where a region's instances share their history (Table Storage); none is registered with the in-memory store.</summary>
public interface IStatsHistoryStore
{
    /// <summary>This process's name in the shared history.</summary>
    string Instance { get; }

    /// <summary>Replaces this instance's history in <paramref name="region"/> with <paramref name="samples"/>.</summary>
    ValueTask WriteAsync(string region, IReadOnlyList<HistorySample> samples, CancellationToken cancellationToken);

    /// <summary>The histories of the region's instances written within <paramref name="maxAge"/>.</summary>
    ValueTask<IReadOnlyList<InstanceHistory>> ReadAsync(string region, TimeSpan maxAge, CancellationToken cancellationToken);
}
