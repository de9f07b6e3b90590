using System.Globalization;
using System.Text;
using ServerlessTracker.Bench.Running;
using ServerlessTracker.Bench.Trackers;
using ServerlessTracker.Bench.Workloads;

namespace ServerlessTracker.Bench;

/// <summary>The results of one run, rendered as Markdown: absolute figures, ratios to the baseline, and validation.</summary>
public sealed record BenchReport(
    BenchSettings Settings,
    int LargestSwarm,
    IReadOnlyList<ScenarioRow> Rows,
    IReadOnlyList<PopulateRow> Populations,
    DateTimeOffset Finished,
    string LoadCpus,
    IReadOnlyList<StartupRow>? Startups = null)
{
    private const double BusyThreshold = 0.10;
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>True when every answer of every scenario was valid and every tracker got identical streams.</summary>
    public bool Clean => Rows.All(row => row.Failures == 0 && row.Load.Measured > 0) && Populations.All(p => p.Load.Validation.Valid == p.Load.Validation.Answers) && StreamsIdentical();

    private static string Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return string.Create(Invariant, $"{sorted[0]:0} / {sorted[sorted.Count / 2]:0} / {sorted[^1]:0}");
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var baseline = Settings.Trackers[0];
        var w = Settings.Workload;
        text.AppendLine(Invariant, $"Run finished {Finished:yyyy-MM-dd HH:mm} UTC on a machine with CPUs {OnlineCpus()} online ({Environment.OSVersion}); trackers pinned to CPU {Settings.TrackerCore}, load generator on CPU(s) {LoadCpus}.");
        text.AppendLine();
        text.AppendLine(Invariant, $"Command: `{Settings.CommandLine}`");
        text.AppendLine();
        text.AppendLine(Invariant, $"Workload: {w.Torrents:N0} torrents (Zipf s={w.ZipfExponent}, largest swarm {LargestSwarm:N0} peers), {w.Peers:N0} distinct peers (populated with one `started` each before the scenarios), numwant={w.NumWant}, compact=1, {Settings.Connections} client connections, {(Settings.RequestsPerSecond > 0 ? $"offered load paced at {Settings.RequestsPerSecond:N0} requests/s" : "closed loop (each connection sends its next request when the answer arrives)")}, warm-up {Settings.Warmup.TotalSeconds:0.#} s, measured {Settings.Duration.TotalSeconds:0.#} s per scenario, seed {w.Seed}.");
        text.AppendLine();

        text.AppendLine(Invariant, $"### Ratios to {baseline} (lower is better except requests/s)");
        text.AppendLine();
        text.AppendLine("| scenario | tracker | requests/s | p50 latency | p99 latency | CPU µs/request | peak RSS | CPU goal |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---|");
        var summaries = ScenarioSummary.From(Rows);
        foreach (var row in summaries.Where(r => r.Tracker != baseline))
        {
            var reference = summaries.FirstOrDefault(r => r.Tracker == baseline && r.Scenario.Name == row.Scenario.Name);
            if (reference is null)
            {
                continue;
            }

            var cpuRatio = row.CpuMicrosecondsPerRequest / reference.CpuMicrosecondsPerRequest;
            var goal = row.Tracker == FloorTarget.TrackerName ? "no tracker: the least any tracker can cost here"
                : row.Scenario.CpuGoal is { } g ? $"≤ {g:0.0#}×: {(cpuRatio <= g ? "met" : "not met")}" : "";
            text.AppendLine(Invariant, $"| {row.Scenario.Name} | {row.Tracker} | {Ratio(row.RequestsPerSecond, reference.RequestsPerSecond)} | {Ratio(row.P50, reference.P50)} | {Ratio(row.P99, reference.P99)} | **{Ratio(row.CpuMicrosecondsPerRequest, reference.CpuMicrosecondsPerRequest)}** | {Ratio(row.PeakRssBytes, reference.PeakRssBytes)} | {goal} |");
        }

        text.AppendLine();
        text.AppendLine(Invariant, $"### Absolute figures{(Settings.Rounds > 1 ? $" (median of {Settings.Rounds} rounds; CPU range min–max)" : "")}");
        text.AppendLine();
        text.AppendLine("| scenario | tracker | requests/s | p50 ms | p99 ms | CPU µs/request | tracker core: tracker + others | load core: load + others | peak RSS MiB | failed answers |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in summaries)
        {
            var cpu = row.Rounds > 1 ? $"{row.CpuMicrosecondsPerRequest:0.0} ({row.CpuMin:0.0}–{row.CpuMax:0.0})" : $"{row.CpuMicrosecondsPerRequest:0.0}";
            text.AppendLine(Invariant, $"| {row.Scenario.Name} | {row.Tracker} | {row.RequestsPerSecond:N0} | {row.P50:0.000} | {row.P99:0.000} | {cpu} | {row.TrackerCoreBusy:P0} + {row.OtherOnTrackerCore:P0} | {row.LoadCoreBusy:P0} + {row.OtherOnLoadCores:P0} | {row.PeakRssBytes / 1048576.0:0.0} | {row.Failures:N0} |");
        }

        if (Startups is { Count: > 0 })
        {
            text.AppendLine();
            text.AppendLine("### Start-up: exec to the first answered announce (min / median / max of the runs)");
            text.AppendLine();
            text.AppendLine("| tracker | runs | accepting connections, ms | first announce answered, ms |");
            text.AppendLine("|---|---:|---:|---:|");
            foreach (var group in Startups.GroupBy(s => s.Tracker))
            {
                text.AppendLine(Invariant, $"| {group.Key} | {group.Count()} | {Spread(group.Select(s => s.Listening.TotalMilliseconds))} | {Spread(group.Select(s => s.FirstAnnounce.TotalMilliseconds))} |");
            }
        }

        text.AppendLine();
        text.AppendLine("### Validation (every answer, warm-up included)");
        text.AppendLine();
        text.AppendLine("| scenario | tracker | answers | valid | non-200 | failure reason | invalid body | transport errors | answers with peers (announce) or stats (scrape) | peers/answer | connections/request | server kept connections |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        foreach (var (name, load) in Populations.Select(p => ("populate", p)).Select(x => (x.Item1, (x.p.Tracker, x.p.Load)))
                     .Concat(Rows.Select(r => (Settings.Rounds > 1 ? $"{r.Scenario.Name} #{r.Round}" : r.Scenario.Name, (r.Tracker, r.Load)))))
        {
            var v = load.Load.Validation;
            var withPeers = v.AnnouncesExpectingPeers > 0 ? ((double)v.AnnouncesWithPeers / v.AnnouncesExpectingPeers).ToString("P1", Invariant)
                : v.Scrapes > 0 ? ((double)(v.Scrapes - v.ScrapesEmpty) / v.Scrapes).ToString("P1", Invariant) : "–";
            var peersPerAnswer = v.Announces > 0 ? ((double)v.PeersReturned / v.Announces).ToString("0.0", Invariant) : "–";
            var connections = v.Answers > 0 ? ((double)load.Load.Connects / v.Answers).ToString("0.00", Invariant) : "–";
            var kept = load.Load.ServerClosedKeptAliveConnections ? "no (closed after each answer)" : load.Load.Connects < v.Answers / 2 ? "yes" : "n/a (client closes)";
            text.AppendLine(Invariant, $"| {name} | {load.Tracker} | {v.Answers:N0} | {v.Valid:N0} | {v.Non200:N0} | {v.FailureReasons:N0} | {v.Invalid:N0} | {v.TransportErrors:N0} | {withPeers} | {peersPerAnswer} | {connections} | {kept} |");
        }

        text.AppendLine();
        text.AppendLine(StreamComparison());
        var busy = Rows.Where(r => r.OtherOnTrackerCore > BusyThreshold || r.OtherOnLoadCores > BusyThreshold).ToList();
        if (busy.Count > 0)
        {
            text.AppendLine();
            text.AppendLine(Invariant, $"**Machine busy**: other processes took more than {BusyThreshold:P0} of the tracker's or the load generator's core in {busy.Count} of {Rows.Count} windows (largest: {busy.Max(r => Math.Max(r.OtherOnTrackerCore, r.OtherOnLoadCores)):P0}); expect ±15% or worse on CPU µs/request and much more on requests/s and latency. Rerun on a quiet machine or with more --rounds.");
        }

        foreach (var row in Rows.Where(r => r.Counters.Count > 0))
        {
            text.AppendLine(Invariant, $"- {row.Scenario.Name} / {row.Tracker}: {string.Join(", ", row.Counters.Select(c => $"{c.Key} {c.Value / Math.Max(1, row.Load.Measured):0.###}/request"))}");
        }

        var problems = Rows.SelectMany(r => r.Load.Validation.Samples.Select(s => $"- {r.Scenario.Name} / {r.Tracker}: {s}"))
            .Concat(Populations.SelectMany(p => p.Load.Validation.Samples.Select(s => $"- populate / {p.Tracker}: {s}"))).Take(20).ToList();
        if (problems.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Sample problems:");
            problems.ForEach(p => text.AppendLine(p.Replace("|", "\\|", StringComparison.Ordinal)));
        }

        return text.ToString();
    }

    private bool StreamsIdentical() => !StreamComparison().Contains("NOT", StringComparison.Ordinal);

    private string StreamComparison()
    {
        var compared = new List<string>();
        foreach (var scenario in Rows.GroupBy(r => r.Scenario.Name))
        {
            var streams = scenario.Select(r => r.Load.Checkpoints).ToList();
            var common = streams.Min(s => s.Count);
            if (streams.Any(s => !s.Take(common).SequenceEqual(streams[0].Take(common))))
            {
                return $"Request streams: **{scenario.Key}: the trackers were NOT sent identical requests** (digest mismatch) — the comparison is void.";
            }

            compared.Add($"{scenario.Key} {common * RequestStream.CheckpointInterval:N0}");
        }

        return "Request streams: every tracker was sent byte-identical requests in the same order (XxHash3 of each stream compared over the first requests all trackers reached: "
            + string.Join(", ", compared) + ").";
    }

    private static string Ratio(double value, double reference) =>
        reference > 0 && !double.IsNaN(value) ? (value / reference).ToString("0.00", Invariant) + "×" : "–";

    private static string OnlineCpus()
    {
        try
        {
            return File.ReadAllText("/sys/devices/system/cpu/online").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
