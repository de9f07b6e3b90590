using System.Diagnostics;
using System.Globalization;
using ServerlessTracker.UdpLoad;

// Drives a BEP 15 tracker on loopback with announces as fast as it answers, for a bounded time, and
// reports answers per second and (with --pid) the tracker's CPU microseconds per answer.
// Example: dotnet run -c Release --project tools/ServerlessTracker.UdpLoad -- --target 127.0.0.1:6969 --seconds 10 --pid 1234
var options = LoadOptions.Parse(args);
var hashes = Workload.InfoHashes(options.Torrents, options.Seed);
if (options.WriteHashes is { } path)
{
    File.WriteAllLines(path, hashes.Select(Convert.ToHexStringLower));
    return 0;
}

var workers = Enumerable.Range(0, options.Workers).Select(i => new Worker(options, hashes, i)).ToArray();
var threads = workers.Select(w => new Thread(w.Run) { IsBackground = true }).ToArray();
foreach (var thread in threads)
{
    thread.Start();
}

Thread.Sleep(TimeSpan.FromSeconds(options.WarmupSeconds));
var cpuBefore = TrackerCpu.Ticks(options.TrackerPid);
var started = Stopwatch.GetTimestamp();
Worker.Measuring = true;
Thread.Sleep(TimeSpan.FromSeconds(options.Seconds));
Worker.Measuring = false;
var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
var cpuAfter = TrackerCpu.Ticks(options.TrackerPid);
Worker.Stopping = true;
foreach (var thread in threads)
{
    thread.Join(TimeSpan.FromSeconds(2));
}

var answers = workers.Sum(w => w.Announced);
var errors = workers.Sum(w => w.Errors);
var timeouts = workers.Sum(w => w.Timeouts);
var rate = answers / elapsed;
var line = string.Create(CultureInfo.InvariantCulture, $"answers={answers} seconds={elapsed:F2} announces_per_s={rate:F0} errors={errors} timeouts={timeouts}");
if (options.TrackerPid != 0)
{
    var cpuSeconds = (cpuAfter - cpuBefore) / (double)TrackerCpu.TicksPerSecond;
    line += string.Create(CultureInfo.InvariantCulture, $" tracker_cpu_s={cpuSeconds:F2} tracker_cpu_us_per_announce={cpuSeconds * 1e6 / Math.Max(answers, 1):F2}");
}

Console.WriteLine(line);
if (workers.FirstOrDefault(w => w.FirstError is not null) is { } failing)
{
    Console.Error.WriteLine("first error from tracker: " + failing.FirstError);
}

return answers > 0 ? 0 : 1;
