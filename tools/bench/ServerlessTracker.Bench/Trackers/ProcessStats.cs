using System.Diagnostics;
using System.Globalization;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>One reading of a process's CPU time (all threads, from /proc/PID/stat) and memory (from /proc/PID/status).</summary>
/// <param name="CpuSeconds">utime + stime in seconds.</param>
/// <param name="PeakRssBytes">VmHWM: the peak resident set size.</param>
/// <param name="RssBytes">VmRSS now.</param>
public readonly record struct ProcessStats(double CpuSeconds, long PeakRssBytes, long RssBytes)
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadClockTicks);

    public static ProcessStats Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        long peak = 0, rss = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
        }

        return new ProcessStats(ticks / TicksPerSecond.Value, peak, rss);
    }

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;

    private static double ReadClockTicks()
    {
        using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true })!;
        var text = getconf.StandardOutput.ReadToEnd().Trim();
        getconf.WaitForExit();
        return double.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : 100;
    }
}
