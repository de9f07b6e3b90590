using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// The kernel's floor (tools/bench/floor/http-floor.c): sockets answered with one fixed announce answer and no tracker
/// behind them, the same system calls per connection as our listener (and epoll for kept-alive connections). Its CPU per
/// request is what the loopback TCP stack costs on this machine, the part of every tracker's figure no tracker code can
/// remove; the report's ratio for it is the best any tracker could reach against the baseline in the same run.
/// </summary>
public sealed class FloorTarget(string name, string executable, string workDirectory, int core, int httpPort) : ITrackerTarget
{
    private PinnedProcess? process;

    public string Name => name;

    public IPEndPoint? HttpEndpoint { get; } = new(IPAddress.Loopback, httpPort);

    public IPEndPoint? UdpEndpoint => null;

    public int ProcessId => process?.Id ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellation)
    {
        Directory.CreateDirectory(workDirectory);
        process = PinnedProcess.Start(core, executable, ["--urls", $"http://127.0.0.1:{httpPort}"], new Dictionary<string, string>(), workDirectory, Path.Combine(workDirectory, $"{name}.log"));
        await process.WaitForTcpAsync(HttpEndpoint!, TimeSpan.FromSeconds(10), cancellation);
    }

    public Task<IReadOnlyDictionary<string, double>> ReadCountersAsync(CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>());

    public ValueTask DisposeAsync()
    {
        process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
