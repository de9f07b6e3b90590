using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// opentracker (Debian package) as the baseline. Debian builds it with an access whitelist, so every benchmark
/// torrent is written to a whitelist file. The config binds only 127.0.0.1 on the chosen ports. Run as root,
/// opentracker chroots into the config's rootdir and drops to the given user, so the whitelist lives in that
/// directory and is named relative to it.
/// </summary>
public sealed class OpenTrackerTarget(string name, string executable, string workDirectory, int core, int httpPort, int udpPort, IReadOnlyList<byte[]> infoHashes)
    : ITrackerTarget
{
    private PinnedProcess? process;

    public string Name => name;

    public IPEndPoint? HttpEndpoint { get; } = new(IPAddress.Loopback, httpPort);

    public IPEndPoint? UdpEndpoint { get; } = new(IPAddress.Loopback, udpPort);

    public int ProcessId => process?.Id ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellation)
    {
        Directory.CreateDirectory(workDirectory);
        await File.WriteAllLinesAsync(Path.Combine(workDirectory, "whitelist.txt"), infoHashes.Select(Convert.ToHexStringLower), cancellation);
        var config = Path.Combine(workDirectory, "opentracker.conf");
        await File.WriteAllTextAsync(
            config,
            $"""
            listen.tcp 127.0.0.1:{httpPort}
            listen.udp 127.0.0.1:{udpPort}
            access.whitelist whitelist.txt
            tracker.rootdir {workDirectory}
            tracker.user nobody

            """,
            cancellation);
        process = PinnedProcess.Start(core, executable, ["-f", config], new Dictionary<string, string>(), workDirectory, Path.Combine(workDirectory, "..", $"{name}.log"));
        await process.WaitForTcpAsync(HttpEndpoint!, TimeSpan.FromSeconds(15), cancellation);
    }

    public Task<IReadOnlyDictionary<string, double>> ReadCountersAsync(CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>());

    public ValueTask DisposeAsync()
    {
        process?.Dispose();
        return ValueTask.CompletedTask;
    }
}
