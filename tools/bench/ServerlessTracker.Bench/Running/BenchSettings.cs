using ServerlessTracker.Bench.Workloads;

namespace ServerlessTracker.Bench.Running;

/// <summary>Everything one benchmark run is told on the command line.</summary>
/// <param name="Duration">Measured window per scenario and tracker.</param>
/// <param name="Warmup">Load before the measured window starts (same stream, not counted).</param>
/// <param name="Connections">Concurrent client connections.</param>
/// <param name="Workload">The simulated torrents and peers.</param>
/// <param name="Scenarios">Scenario names, in order.</param>
/// <param name="Trackers">Tracker names, in order; the first is the baseline of every ratio.</param>
/// <param name="ServerlessExecutable">Path of the published ServerlessTracker.Server executable.</param>
/// <param name="OpenTrackerExecutable">Path of opentracker.</param>
/// <param name="TrackerCore">CPU the trackers are pinned to (the load generator should run on another).</param>
/// <param name="BasePort">First loopback port; tracker i uses BasePort + 10 i (HTTP) and + 1 (UDP).</param>
/// <param name="WorkDirectory">Configs and logs of this run.</param>
/// <param name="Output">Markdown file the report is written to.</param>
/// <param name="CommandLine">The command as typed, for the report.</param>
/// <param name="RequestsPerSecond">Offered load per scenario; 0 (default) for a closed loop at the tracker's pace.</param>
/// <param name="Rounds">Times each scenario is run per tracker (interleaved); the report shows medians.</param>
/// <param name="WindowCommand">Shell command started with each measured window ({pid}, {seconds}, {tracker}, {scenario}, {round} filled in), e.g. perf record; null for none.</param>
/// <param name="TrackerEnvironment">Extra environment variables for our tracker (e.g. DOTNET_PerfMapEnabled=1, Tracker__...).</param>
/// <param name="StartupRuns">Starts of each tracker timed from exec to its first answered announce (0: none).</param>
/// <param name="FunctionAppDirectory">Publish directory of the function app (the isolated worker), for the function-app target.</param>
/// <param name="VariantExecutables">Per variant label, another published build to run as serverless.LABEL.</param>
/// <param name="FloorExecutable">The compiled tools/bench/floor/http-floor.c, for the floor target.</param>
public sealed record BenchSettings(
    TimeSpan Duration,
    TimeSpan Warmup,
    int Connections,
    WorkloadSettings Workload,
    IReadOnlyList<string> Scenarios,
    IReadOnlyList<string> Trackers,
    string? ServerlessExecutable,
    string OpenTrackerExecutable,
    int TrackerCore,
    int BasePort,
    string WorkDirectory,
    string Output,
    string CommandLine,
    double RequestsPerSecond,
    int Rounds,
    string? WindowCommand,
    IReadOnlyDictionary<string, string> TrackerEnvironment,
    string? FunctionAppDirectory = null,
    int StartupRuns = 0,
    string? FloorExecutable = null,
    IReadOnlyDictionary<string, string>? VariantExecutables = null);

/// <summary>One start of a tracker: when it accepted connections, and when it answered its first announce.</summary>
public sealed record StartupRow(string Tracker, int Round, TimeSpan Listening, TimeSpan FirstAnnounce);
