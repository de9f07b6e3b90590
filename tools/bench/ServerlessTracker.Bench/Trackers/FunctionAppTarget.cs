using System.Diagnostics;
using System.Net;
using ServerlessTracker.FunctionApp.Tests.Host;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// The function app (the published isolated worker, `dotnet publish functions/ServerlessTracker.FunctionApp -c Release`)
/// under the Functions host emulator that the tests use: the emulator runs in this process (on the load generator's
/// core), the worker in its own process pinned to the tracker core, so the CPU reported is the worker's alone, per
/// request it served through the host's proxy (keep-alive, as the host reaches it) and the gRPC invocation beside it.
/// </summary>
public sealed class FunctionAppTarget(string name, string publishDirectory, int core, IReadOnlyDictionary<string, string> settings) : ITrackerTarget
{
    private FunctionsHostEmulator? host;

    public string Name => name;

    public IPEndPoint? HttpEndpoint => host is { } started ? new IPEndPoint(IPAddress.Loopback, started.BaseAddress.Port) : null;

    public IPEndPoint? UdpEndpoint => null;

    public int ProcessId => host?.WorkerProcessId ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellation)
    {
        var appSettings = new Dictionary<string, string?> { ["PurgeSchedule"] = "0 */5 * * * *", ["DOTNET_ENVIRONMENT"] = "Production" };
        foreach (var (key, value) in settings)
        {
            appSettings[key] = value;
        }

        host = await FunctionsHostEmulator.StartAsync(publishDirectory, appSettings, new EmulatorOptions { ListenOnIPv6 = false }, cancellation);

        // Every thread of the worker, those started so far and those to come, on the tracker core.
        using var pin = Process.Start(new ProcessStartInfo("taskset", ["-a", "-cp", core.ToString(System.Globalization.CultureInfo.InvariantCulture), host.WorkerProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
        })!;
        await pin.WaitForExitAsync(cancellation);
    }

    public Task<IReadOnlyDictionary<string, double>> ReadCountersAsync(CancellationToken cancellation) =>
        Task.FromResult<IReadOnlyDictionary<string, double>>(new Dictionary<string, double>());

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }
    }
}
