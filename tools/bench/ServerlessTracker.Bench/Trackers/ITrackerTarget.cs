using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>A tracker under test: a process on loopback, pinned to the tracker core, started and stopped by the runner.</summary>
public interface ITrackerTarget : IAsyncDisposable
{
    /// <summary>Name in the table, e.g. "opentracker" or "serverless".</summary>
    string Name { get; }

    /// <summary>The HTTP listener (127.0.0.1), or null when the tracker serves no HTTP.</summary>
    IPEndPoint? HttpEndpoint { get; }

    /// <summary>The UDP (BEP 15) listener (127.0.0.1), or null when not served.</summary>
    IPEndPoint? UdpEndpoint { get; }

    /// <summary>The process whose CPU time and peak RSS are reported.</summary>
    int ProcessId { get; }

    /// <summary>Starts the process and returns once it accepts connections.</summary>
    Task StartAsync(CancellationToken cancellation);

    /// <summary>
    /// Counters the tracker exposes beyond CPU and memory (for the Table store: transactions, batch sizes), read
    /// before and after each measured window; the report shows their difference per request. Empty when none.
    /// </summary>
    Task<IReadOnlyDictionary<string, double>> ReadCountersAsync(CancellationToken cancellation);
}
