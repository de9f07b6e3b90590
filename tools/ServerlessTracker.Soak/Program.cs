using System.Globalization;
using ServerlessTracker.Soak;

// The long soak (docs/reliability.md): dotnet run --project tools/ServerlessTracker.Soak -c Release -- [--rounds N] [--rate R]
//   [--torrents T] [--peers P] [--outage SECONDS] [--warmup SECONDS]. Needs Azurite (tools/node_modules, or ST_AZURITE). Exit 1 on any violation.
var options = new DrillOptions();
for (var i = 0; i + 1 < args.Length; i += 2)
{
    var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
    options = args[i] switch
    {
        "--rounds" => options with { Rounds = value },
        "--rate" => options with { AnnouncesPerSecond = value },
        "--torrents" => options with { Torrents = value },
        "--peers" => options with { PeersPerTorrent = value },
        "--outage" => options with { StorageOutage = TimeSpan.FromSeconds(value) },
        "--warmup" => options with { Warmup = TimeSpan.FromSeconds(value) },
        _ => throw new ArgumentException($"unknown option {args[i]}"),
    };
}

var report = await FaultDrill.RunAsync(options);
Console.WriteLine(report);
foreach (var violation in report.Violations)
{
    Console.WriteLine("VIOLATION " + violation);
}

return report.Violations.Count == 0 ? 0 : 1;
