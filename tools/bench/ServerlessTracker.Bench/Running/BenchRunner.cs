using System.Diagnostics;
using ServerlessTracker.Bench.Http;
using ServerlessTracker.Bench.Scenarios;
using ServerlessTracker.Bench.Trackers;
using ServerlessTracker.Bench.Workloads;

namespace ServerlessTracker.Bench.Running;

/// <summary>
/// Runs the whole benchmark: start every tracker pinned to the tracker core and populate each with every peer's
/// started announce; then for each scenario and round, drive each tracker in turn (warm-up, measured window,
/// CPU and memory read from /proc at the window's edges). Only one tracker is under load at any time; the
/// others sit idle. Interleaving trackers within each round spreads the noise of a shared machine evenly.
/// </summary>
public sealed class BenchRunner(BenchSettings settings, TextWriter log)
{
    public async Task<BenchReport> RunAsync(CancellationToken cancellation)
    {
        var population = Population.Create(settings.Workload);
        var perTorrent = population.PeersPerTorrent();
        log.WriteLine($"workload: {settings.Workload.Torrents} torrents, {settings.Workload.Peers} peers (largest swarm {perTorrent.Max()}, smallest {perTorrent.Min()}), zipf {settings.Workload.ZipfExponent}, seed {settings.Workload.Seed}");
        var scenarios = settings.Scenarios.Select(name => ScenarioCatalog.All.Single(s => s.Name == name)).ToList();
        var rows = new List<ScenarioRow>();
        var populations = new List<PopulateRow>();
        var targets = new List<ITrackerTarget>();
        try
        {
            for (var index = 0; index < settings.Trackers.Count; index++)
            {
                var target = CreateTarget(settings.Trackers[index], index, population);
                targets.Add(target);
                log.WriteLine($"[{target.Name}] starting (pinned to CPU {settings.TrackerCore})");
                await target.StartAsync(cancellation);
                log.WriteLine($"[{target.Name}] listening on {target.HttpEndpoint}, pid {target.ProcessId}");
                populations.Add(await PopulateAsync(target, population, cancellation));
            }

            foreach (var scenario in scenarios)
            {
                for (var round = 1; round <= settings.Rounds; round++)
                {
                    foreach (var target in targets.Where(t => scenario.Supports(t)))
                    {
                        rows.Add(await RunScenarioAsync(target, scenario, population, round, cancellation));
                        await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
                    }
                }
            }
        }
        finally
        {
            foreach (var target in targets)
            {
                await target.DisposeAsync();
            }
        }

        var startups = new List<StartupRow>();
        for (var round = 1; round <= settings.StartupRuns; round++)
        {
            for (var index = 0; index < settings.Trackers.Count; index++)
            {
                startups.Add(await MeasureStartupAsync(settings.Trackers[index], index, population, round, cancellation));
            }
        }

        return new BenchReport(settings, perTorrent.Max(), rows, populations, DateTimeOffset.UtcNow, string.Join(',', CoreStats.AllowedCores()), startups);
    }

    /// <summary>From starting the process to the first announce answered with a bencoded body; the tracker is stopped after.</summary>
    private async Task<StartupRow> MeasureStartupAsync(string name, int index, Population population, int round, CancellationToken cancellation)
    {
        // Ports of their own, so a socket of the scenario runs lingering in TIME_WAIT cannot delay the start.
        var target = CreateTarget(name, index, population, portOffset: 5);
        await using (target)
        {
            var clock = Stopwatch.StartNew();
            await target.StartAsync(cancellation);
            var listening = clock.Elapsed;
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            var url = $"http://{target.HttpEndpoint}/announce?info_hash=%01%02%03%04%05%06%07%08%09%0a%0b%0c%0d%0e%0f%10%11%12%13%14&peer_id=-ST0001-startupprobe&port=6881&left=1";
            while (true)
            {
                try
                {
                    using var response = await client.GetAsync(url, cancellation);
                    var body = await response.Content.ReadAsByteArrayAsync(cancellation);
                    if (response.IsSuccessStatusCode && body.Length > 0 && body[0] == (byte)'d')
                    {
                        break;
                    }
                }
                catch (HttpRequestException) when (clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                }

                await Task.Delay(5, cancellation);
            }

            var answered = clock.Elapsed;
            log.WriteLine($"[{name}] start-up #{round}: listening after {listening.TotalMilliseconds:F0} ms, first announce answered after {answered.TotalMilliseconds:F0} ms");
            return new StartupRow(name, round, listening, answered);
        }
    }

    private ITrackerTarget CreateTarget(string name, int index, Population population, int portOffset = 0)
    {
        var httpPort = settings.BasePort + (10 * index) + portOffset;
        var directory = Path.Combine(settings.WorkDirectory, name);
        return name switch
        {
            _ when name.StartsWith("opentracker", StringComparison.Ordinal) =>
                new OpenTrackerTarget(name, settings.OpenTrackerExecutable, directory, settings.TrackerCore, httpPort, httpPort + 1, population.InfoHashes),
            _ when name == "function-app" || name.StartsWith("function-app.", StringComparison.Ordinal) => new FunctionAppTarget(
                name,
                settings.FunctionAppDirectory ?? throw new InvalidOperationException("--function-app-dir is required for the function app"),
                settings.TrackerCore,
                EnvironmentFor(name)),
            _ when name == "serverless" || name.StartsWith("serverless.", StringComparison.Ordinal) => new ServerlessTrackerTarget(
                name,
                ExecutableFor(name) ?? throw new InvalidOperationException("--serverless-exe is required for the serverless tracker"),
                directory,
                settings.TrackerCore,
                httpPort,
                EnvironmentFor(name)),
            FloorTarget.TrackerName => new FloorTarget(
                name,
                settings.FloorExecutable ?? throw new InvalidOperationException("--floor-exe is required for the floor"),
                directory,
                settings.TrackerCore,
                httpPort),
            _ => throw new InvalidOperationException($"unknown tracker '{name}' (known: opentracker, opentracker2 (a second opentracker as a stand-in), serverless, serverless.LABEL (a variant with its own --tracker-env LABEL:KEY=VALUE), function-app (the published worker under the host emulator), floor (the kernel's floor, --floor-exe))"),
        };
    }

    /// <summary>serverless.LABEL runs the build --variant-exe LABEL=PATH names, if any (A/B of two commits in one run).</summary>
    private string? ExecutableFor(string name)
    {
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        return dot >= 0 && settings.VariantExecutables?.GetValueOrDefault(name[(dot + 1)..]) is { } path ? path : settings.ServerlessExecutable;
    }

    /// <summary>Unlabelled --tracker-env entries apply to every serverless target, "LABEL:KEY=VALUE" ones to serverless.LABEL only.</summary>
    private Dictionary<string, string> EnvironmentFor(string name)
    {
        var label = name.Contains('.', StringComparison.Ordinal) ? name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..] : null;
        var environment = new Dictionary<string, string>();
        foreach (var (key, value) in settings.TrackerEnvironment)
        {
            var colon = key.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                environment[key] = value;
            }
            else if (label is not null && key[..colon] == label)
            {
                environment[key[(colon + 1)..]] = value;
            }
        }

        return environment;
    }

    private async Task<PopulateRow> PopulateAsync(ITrackerTarget target, Population population, CancellationToken cancellation)
    {
        var driver = new HttpLoadGenerator(target.HttpEndpoint!, new AnnounceStream(population, AnnouncePhase.Populate, 1, connectionClose: false), settings.Connections, newConnectionPerRequest: false);
        var before = ProcessStats.Read(target.ProcessId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(TimeSpan.FromMinutes(5));
        driver.BeginMeasure();
        await driver.RunAsync(timeout.Token);
        driver.EndMeasure();
        var after = ProcessStats.Read(target.ProcessId);
        var result = driver.Result();
        log.WriteLine($"[{target.Name}] populated {result.Validation.Answers} peers in {result.Seconds:F1} s ({result.RequestsPerSecond:F0}/s), valid {result.Validation.Valid}, RSS {after.RssBytes >> 20} MiB");
        return new PopulateRow(target.Name, result, after.CpuSeconds - before.CpuSeconds, after.RssBytes);
    }

    private async Task<ScenarioRow> RunScenarioAsync(ITrackerTarget target, Scenario scenario, Population population, int round, CancellationToken cancellation)
    {
        var driver = scenario.CreateDriver(new ScenarioContext(target, population, settings.Connections, StableSeed(scenario.Name), settings.RequestsPerSecond));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var running = Task.Run(() => driver.RunAsync(stop.Token), CancellationToken.None);
        await Task.Delay(settings.Warmup, cancellation);

        var countersBefore = await target.ReadCountersAsync(cancellation);
        var loadCores = CoreStats.AllowedCores();
        var trackerBefore = ProcessStats.Read(target.ProcessId);
        var selfBefore = ProcessStats.Read(Environment.ProcessId);
        var trackerCoreBefore = CoreStats.Read(settings.TrackerCore);
        var loadCoresBefore = loadCores.Sum(c => CoreStats.Read(c).BusySeconds);
        var clock = Stopwatch.StartNew();
        driver.BeginMeasure();
        using var observer = StartWindowCommand(target, scenario, round);
        await Task.Delay(settings.Duration, cancellation);
        driver.EndMeasure();
        var trackerAfter = ProcessStats.Read(target.ProcessId);
        var selfAfter = ProcessStats.Read(Environment.ProcessId);
        var trackerCoreAfter = CoreStats.Read(settings.TrackerCore);
        var loadCoresAfter = loadCores.Sum(c => CoreStats.Read(c).BusySeconds);
        var wall = clock.Elapsed.TotalSeconds;
        var countersAfter = await target.ReadCountersAsync(cancellation);

        await stop.CancelAsync();
        await running;
        if (observer is not null && !observer.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            log.WriteLine($"[{target.Name}] --window-command still running 30 s after the window; killing it");
            observer.Kill(entireProcessTree: true);
        }

        var result = driver.Result();
        var counters = countersAfter.ToDictionary(pair => pair.Key, pair => pair.Value - countersBefore.GetValueOrDefault(pair.Key));
        var row = new ScenarioRow(
            scenario,
            target.Name,
            round,
            result,
            trackerAfter.CpuSeconds - trackerBefore.CpuSeconds,
            (selfAfter.CpuSeconds - selfBefore.CpuSeconds) / wall,
            trackerAfter.PeakRssBytes,
            counters,
            Math.Max(0, (trackerCoreAfter.BusySeconds - trackerCoreBefore.BusySeconds - (trackerAfter.CpuSeconds - trackerBefore.CpuSeconds)) / wall),
            Math.Max(0, (loadCoresAfter - loadCoresBefore - (selfAfter.CpuSeconds - selfBefore.CpuSeconds)) / wall));
        log.WriteLine($"[{target.Name}] {scenario.Name} round {round}: {result.RequestsPerSecond:F0} req/s, p50 {result.Latency.P50:F3} ms, p99 {result.Latency.P99:F3} ms, " +
            $"{row.CpuMicrosecondsPerRequest:F1} µs CPU/req, tracker core {row.TrackerCoreBusy:P0} (+{row.OtherOnTrackerCore:P0} others), load core {row.LoadCoreBusy:P0} (+{row.OtherOnLoadCores:P0} others), " +
            $"valid {result.Validation.Valid}/{result.Validation.Answers}, peak RSS {row.PeakRssBytes >> 20} MiB");
        foreach (var sample in result.Validation.Samples)
        {
            log.WriteLine($"    sample problem: {sample}");
        }

        return row;
    }

    /// <summary>Starts --window-command (e.g. perf record) for this window, with its placeholders filled in.</summary>
    private Process? StartWindowCommand(ITrackerTarget target, Scenario scenario, int round)
    {
        if (string.IsNullOrWhiteSpace(settings.WindowCommand))
        {
            return null;
        }

        var command = settings.WindowCommand
            .Replace("{pid}", target.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{seconds}", settings.Duration.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{tracker}", target.Name, StringComparison.Ordinal)
            .Replace("{scenario}", scenario.Name, StringComparison.Ordinal)
            .Replace("{round}", round.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        info.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        return Process.Start(info);
    }

    private static int StableSeed(string name)
    {
        var hash = 17;
        foreach (var c in name)
        {
            hash = unchecked((hash * 31) + c);
        }

        return hash & int.MaxValue;
    }
}

/// <summary>One scenario measured on one tracker.</summary>
/// <param name="TrackerCpuSeconds">Tracker CPU time (user + system, all threads) inside the measured window.</param>
/// <param name="LoadCoreBusy">Load generator CPU time / wall time inside the window (1.0 = one core saturated).</param>
/// <param name="PeakRssBytes">Tracker VmHWM at the end of the window.</param>
/// <param name="Counters">Differences of the tracker's own counters over the window.</param>
/// <param name="OtherOnTrackerCore">Busy time of the tracker's core not spent by the tracker, / wall time (other processes, interrupts).</param>
/// <param name="OtherOnLoadCores">The same for the load generator's cores.</param>
public sealed record ScenarioRow(
    Scenario Scenario,
    string Tracker,
    int Round,
    LoadResult Load,
    double TrackerCpuSeconds,
    double LoadCoreBusy,
    long PeakRssBytes,
    IReadOnlyDictionary<string, double> Counters,
    double OtherOnTrackerCore,
    double OtherOnLoadCores)
{
    public double CpuMicrosecondsPerRequest => Load.Measured > 0 ? TrackerCpuSeconds * 1e6 / Load.Measured : double.NaN;

    public double TrackerCoreBusy => Load.Seconds > 0 ? TrackerCpuSeconds / Load.Seconds : double.NaN;

    /// <summary>Answers that were not valid, of every kind, warm-up included.</summary>
    public long Failures => Load.Validation.Answers - Load.Validation.Valid + Load.Validation.TransportErrors;
}

/// <summary>The populate phase on one tracker: every peer announced started once.</summary>
public sealed record PopulateRow(string Tracker, LoadResult Load, double TrackerCpuSeconds, long RssBytes);
