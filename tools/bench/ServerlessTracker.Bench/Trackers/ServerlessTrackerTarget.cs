using System.Net;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// Our tracker as published (`dotnet publish functions/ServerlessTracker.Http -c Release`), run standalone
/// the way an operator would: the executable with --urls on a loopback port and otherwise default settings
/// (in-memory store). Extra environment variables select other configurations, e.g. a Table store on Azurite
/// (Tracker__Tables__ConnectionString) for issue 3. A variant that sets Tracker__Listener__Port is measured on that port
/// (the tracker's own listener) instead of Kestrel's.
/// </summary>
public sealed class ServerlessTrackerTarget(string name, string executable, string workDirectory, int core, int httpPort, IReadOnlyDictionary<string, string> environment)
    : ProcessTarget(name)
{
    public const string ListenerPortVariable = "Tracker__Listener__Port";

    public override IPEndPoint? HttpEndpoint { get; } = new(
        IPAddress.Loopback,
        environment.TryGetValue(ListenerPortVariable, out var listener) ? int.Parse(listener, System.Globalization.CultureInfo.InvariantCulture) : httpPort);

    public override IPEndPoint? UdpEndpoint => null;

    public override async Task StartAsync(CancellationToken cancellation)
    {
        Directory.CreateDirectory(workDirectory);
        var variables = new Dictionary<string, string>(environment)
        {
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
        };

        // Every torrent of the workload is created from 127.0.0.1: the per-address swarm-creation budget (1,000 an hour)
        // would refuse a workload of more torrents. A --tracker-env setting still wins.
        variables.TryAdd("Tracker__SwarmCreation__PerAddress", "0");
        Process = PinnedProcess.Start(core, executable, ["--urls", $"http://127.0.0.1:{httpPort}"], variables, Path.GetDirectoryName(executable)!, Path.Combine(workDirectory, $"{Name}.log"));
        await Process.WaitForTcpAsync(HttpEndpoint!, TimeSpan.FromSeconds(60), cancellation);
    }
}
