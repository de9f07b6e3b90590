using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// opentracker (Debian package) as the baseline. Debian builds it with an access whitelist, so every benchmark
/// torrent is written to a whitelist file. The config binds only 127.0.0.1 on the chosen ports. Run as root,
/// opentracker chroots into the config's rootdir and drops to the given user, so the whitelist lives in that
/// directory and is named relative to it.
/// </summary>
public sealed class OpenTrackerTarget(string name, string executable, string workDirectory, int core, int httpPort, int udpPort, IReadOnlyList<byte[]> infoHashes)
    : ProcessTarget(name)
{
    public override IPEndPoint? HttpEndpoint { get; } = new(IPAddress.Loopback, httpPort);

    public override IPEndPoint? UdpEndpoint { get; } = new(IPAddress.Loopback, udpPort);

    public override async Task StartAsync(CancellationToken cancellation)
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
        Process = PinnedProcess.Start(core, executable, ["-f", config], new Dictionary<string, string>(), workDirectory, Path.Combine(workDirectory, "..", $"{Name}.log"));
        await Process.WaitForTcpAsync(HttpEndpoint!, TimeSpan.FromSeconds(15), cancellation);
    }
}
