using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// The kernel's floor (tools/bench/floor/http-floor.c): sockets answered with one fixed announce answer and no tracker
/// behind them, the same system calls per connection as our listener (and epoll for kept-alive connections). Its CPU per
/// request is what the loopback TCP stack costs on this machine, the part of every tracker's figure no tracker code can
/// remove; the report's ratio for it is the best any tracker could reach against the baseline in the same run.
/// </summary>
public sealed class FloorTarget(string name, string executable, string workDirectory, int core, int httpPort)
    : ProcessTarget(name)
{
    /// <summary>The floor's name on the command line and in the report.</summary>
    public const string TrackerName = "floor";

    public override IPEndPoint? HttpEndpoint { get; } = new(IPAddress.Loopback, httpPort);

    public override IPEndPoint? UdpEndpoint => null;

    public override async Task StartAsync(CancellationToken cancellation)
    {
        Directory.CreateDirectory(workDirectory);
        Process = PinnedProcess.Start(core, executable, ["--urls", $"http://127.0.0.1:{httpPort}"], new Dictionary<string, string>(), workDirectory, Path.Combine(workDirectory, $"{Name}.log"));
        await Process.WaitForTcpAsync(HttpEndpoint!, TimeSpan.FromSeconds(10), cancellation);
    }
}
