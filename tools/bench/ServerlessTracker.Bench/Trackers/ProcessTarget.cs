using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>A tracker that is one pinned process: what every such target shares (its process, no extra counters).</summary>
public abstract class ProcessTarget(string name) : ITrackerTarget
{
    public string Name => name;

    public abstract IPEndPoint? HttpEndpoint { get; }

    public abstract IPEndPoint? UdpEndpoint { get; }

    public int ProcessId => Process?.Id ?? throw new InvalidOperationException("not started");

    /// <summary>Set by <see cref="StartAsync"/>.</summary>
    protected PinnedProcess? Process { get; set; }

    public abstract Task StartAsync(CancellationToken cancellation);

    public virtual Task<IReadOnlyDictionary<string, double>> ReadCountersAsync(CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>());

    public ValueTask DisposeAsync()
    {
        Process?.Dispose();
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }
}
