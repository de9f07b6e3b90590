using System.CommandLine;
using ServerlessTracker.Bench.Running;
using ServerlessTracker.Bench.Scenarios;
using ServerlessTracker.Bench.Workloads;

// The side-by-side tracker benchmark; tools/bench/run.sh builds everything and calls this with the load pinned to CPU 1.
var duration = new Option<double>("--duration") { Description = "Measured seconds per scenario and tracker", DefaultValueFactory = _ => 10 };
var warmup = new Option<double>("--warmup") { Description = "Warm-up seconds before each measured window", DefaultValueFactory = _ => 3 };
var connections = new Option<int>("--connections") { Description = "Concurrent client connections", DefaultValueFactory = _ => 32 };
var torrents = new Option<int>("--torrents") { Description = "Number of torrents", DefaultValueFactory = _ => 1000 };
var peers = new Option<int>("--peers") { Description = "Number of distinct peers", DefaultValueFactory = _ => 100_000 };
var zipf = new Option<double>("--zipf") { Description = "Zipf exponent of torrent popularity", DefaultValueFactory = _ => 1.0 };
var seed = new Option<int>("--seed") { Description = "Seed of every random choice", DefaultValueFactory = _ => 20240601 };
var numWant = new Option<int>("--numwant") { Description = "numwant sent with every announce", DefaultValueFactory = _ => 50 };
var scrapeHashes = new Option<int>("--scrape-hashes") { Description = "info_hash keys per scrape", DefaultValueFactory = _ => 1 };
var scenarios = new Option<string>("--scenarios")
{
    Description = "Comma-separated scenarios: " + string.Join(", ", ScenarioCatalog.All.Select(s => s.Name)),
    DefaultValueFactory = _ => string.Join(',', ScenarioCatalog.Defaults),
};
var trackers = new Option<string>("--trackers")
{
    Description = "Comma-separated trackers, baseline first: opentracker, serverless, serverless.LABEL (a variant), opentracker2 (a second opentracker as a stand-in), function-app (the isolated worker under the host emulator), floor (the kernel's floor: fixed answers, no tracker)",
    DefaultValueFactory = _ => "opentracker,serverless",
};
var serverlessExe = new Option<string?>("--serverless-exe") { Description = "Published ServerlessTracker.Server executable" };
var startupRuns = new Option<int>("--startup-runs") { Description = "Also time each tracker's start, exec to first answered announce, this many times (0: not at all)" };
var variantExe = new Option<string[]>("--variant-exe") { Description = "LABEL=PATH: the variant serverless.LABEL runs this published build instead of --serverless-exe (repeatable), e.g. to compare two commits in one run", AllowMultipleArgumentsPerToken = false };
var floorExe = new Option<string?>("--floor-exe") { Description = "The compiled tools/bench/floor/http-floor.c (run.sh builds it), for the floor tracker" };
var functionAppDir = new Option<string?>("--function-app-dir") { Description = "Publish directory of the function app (isolated worker), for the function-app tracker" };
var openTrackerExe = new Option<string>("--opentracker") { Description = "opentracker executable", DefaultValueFactory = _ => "/usr/bin/opentracker" };
var trackerCore = new Option<int>("--tracker-core") { Description = "CPU the trackers are pinned to", DefaultValueFactory = _ => 0 };
var basePort = new Option<int>("--base-port") { Description = "First loopback port used", DefaultValueFactory = _ => 17100 };
var workDirectory = new Option<string?>("--work-dir") { Description = "Directory for configs and logs (default: a new one under /tmp)" };
var rate = new Option<double>("--rate") { Description = "Offered requests/s per scenario (same for every tracker); 0 = closed loop as fast as answers come", DefaultValueFactory = _ => 0 };
var trackerEnv = new Option<string[]>("--tracker-env") { Description = "KEY=VALUE environment variable for our tracker (repeatable); LABEL:KEY=VALUE applies to the variant serverless.LABEL only", AllowMultipleArgumentsPerToken = false };
var rounds = new Option<int>("--rounds") { Description = "Rounds per scenario, trackers interleaved; the report shows medians", DefaultValueFactory = _ => 1 };
var windowCommand = new Option<string?>("--window-command")
{
    Description = "Shell command started with each measured window, for profiling: {pid} {seconds} {tracker} {scenario} {round} are filled in, e.g. 'perf record -g -p {pid} -o /tmp/{tracker}-{scenario}.data -- sleep {seconds}'",
};
var output = new Option<string>("--output") { Description = "Markdown report file", DefaultValueFactory = _ => "bench-results.md" };

var root = new RootCommand("Benchmarks our tracker against opentracker on loopback with one identical workload.")
{
    duration, warmup, connections, torrents, peers, zipf, seed, numWant, scrapeHashes, scenarios, trackers,
    serverlessExe, variantExe, functionAppDir, floorExe, startupRuns, openTrackerExe, trackerCore, basePort, workDirectory, output, rate, rounds, windowCommand, trackerEnv,
};

root.SetAction(async (parse, cancellation) =>
{
    var scenarioNames = parse.GetValue(scenarios)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    var unknown = scenarioNames.Where(name => ScenarioCatalog.All.All(s => s.Name != name)).ToList();
    if (unknown.Count > 0)
    {
        Console.Error.WriteLine($"unknown scenario(s): {string.Join(", ", unknown)}");
        return 2;
    }

    if (Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS") != "1")
    {
        Console.Error.WriteLine("note: DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 is not set; the load generator is slower without it (run.sh sets it)");
    }

    var settings = new BenchSettings(
        TimeSpan.FromSeconds(parse.GetValue(duration)),
        TimeSpan.FromSeconds(parse.GetValue(warmup)),
        parse.GetValue(connections),
        new WorkloadSettings(parse.GetValue(torrents), parse.GetValue(peers), parse.GetValue(zipf), parse.GetValue(seed), NumWant: parse.GetValue(numWant), ScrapeHashes: parse.GetValue(scrapeHashes)),
        scenarioNames,
        parse.GetValue(trackers)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        parse.GetValue(serverlessExe),
        parse.GetValue(openTrackerExe)!,
        parse.GetValue(trackerCore),
        parse.GetValue(basePort),
        parse.GetValue(workDirectory) ?? Directory.CreateTempSubdirectory("stbench-").FullName,
        Path.GetFullPath(parse.GetValue(output)!),
        Environment.GetEnvironmentVariable("BENCH_COMMAND") ?? "ServerlessTracker.Bench " + string.Join(' ', args),
        parse.GetValue(rate),
        Math.Max(1, parse.GetValue(rounds)),
        parse.GetValue(windowCommand),
        (parse.GetValue(trackerEnv) ?? []).Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : ""),
        parse.GetValue(functionAppDir),
        parse.GetValue(startupRuns),
        parse.GetValue(floorExe),
        (parse.GetValue(variantExe) ?? []).Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv.Length > 1 ? kv[1] : ""));

    var report = await new BenchRunner(settings, Console.Out).RunAsync(cancellation);
    var markdown = report.ToMarkdown();
    Directory.CreateDirectory(Path.GetDirectoryName(settings.Output)!);
    await File.WriteAllTextAsync(settings.Output, markdown, cancellation);
    Console.WriteLine();
    Console.WriteLine(markdown);
    Console.WriteLine($"report written to {settings.Output}; logs and configs in {settings.WorkDirectory}");
    if (!report.Clean)
    {
        Console.Error.WriteLine("some answers failed validation or the streams differed: see the validation table");
        return 1;
    }

    return 0;
});

return await root.Parse(args).InvokeAsync();
