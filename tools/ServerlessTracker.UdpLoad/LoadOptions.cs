using System.Globalization;
using System.Net;

namespace ServerlessTracker.UdpLoad;

/// <summary>Command-line settings of one load run.</summary>
internal sealed record LoadOptions
{
    public IPEndPoint Target { get; init; } = new(IPAddress.Loopback, 6969);

    /// <summary>Measured seconds; default 10.</summary>
    public double Seconds { get; init; } = 10;

    /// <summary>Unmeasured seconds first (JIT, caches, swarms filled); default 3.</summary>
    public double WarmupSeconds { get; init; } = 3;

    /// <summary>Distinct torrents; default 1000.</summary>
    public int Torrents { get; init; } = 1000;

    /// <summary>Distinct peers, each bound to one torrent and one port (opentracker tells peers apart by address and port); default 50 000.</summary>
    public int Peers { get; init; } = 50_000;

    /// <summary>Sending threads, one socket each; default 1.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Requests in flight per socket; default 64.</summary>
    public int Window { get; init; } = 64;

    public int NumWant { get; init; } = 50;

    /// <summary>Tracker process whose CPU time (/proc/PID/stat) is measured over the window; 0 = none.</summary>
    public int TrackerPid { get; init; }

    /// <summary>Write the torrents' hashes as hex lines here (opentracker's whitelist) and exit.</summary>
    public string? WriteHashes { get; init; }

    public int Seed { get; init; } = 1;

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i++] switch
            {
                "--target" => options with { Target = IPEndPoint.Parse(value) },
                "--seconds" => options with { Seconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture) },
                "--torrents" => options with { Torrents = int.Parse(value, CultureInfo.InvariantCulture) },
                "--peers" => options with { Peers = Math.Min(int.Parse(value, CultureInfo.InvariantCulture), 60_000) },
                "--workers" => options with { Workers = int.Parse(value, CultureInfo.InvariantCulture) },
                "--window" => options with { Window = int.Parse(value, CultureInfo.InvariantCulture) },
                "--numwant" => options with { NumWant = int.Parse(value, CultureInfo.InvariantCulture) },
                "--pid" => options with { TrackerPid = int.Parse(value, CultureInfo.InvariantCulture) },
                "--write-hashes" => options with { WriteHashes = value },
                "--seed" => options with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                var unknown => throw new ArgumentException($"unknown option {unknown}"),
            };
        }

        if (options.Seconds is <= 0 or > 120 || options.WarmupSeconds is < 0 or > 60)
        {
            throw new ArgumentException("--seconds must be in (0, 120] and --warmup in [0, 60]: runs are bounded");
        }

        if (!IPAddress.IsLoopback(options.Target.Address))
        {
            throw new ArgumentException("--target must be a loopback address");
        }

        return options;
    }
}
