using System.Globalization;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// Busy time of one CPU from /proc/stat (everything but idle and iowait), so the report can show how much of
/// the tracker's and the load generator's cores went to other processes during a window (the machine is shared).
/// </summary>
public readonly record struct CoreStats(double BusySeconds)
{
    private const double TicksPerSecond = 100; // USER_HZ, which /proc/stat always uses.

    public static CoreStats Read(int core)
    {
        var prefix = $"cpu{core.ToString(CultureInfo.InvariantCulture)} ";
        var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (line is null)
        {
            return new CoreStats(double.NaN);
        }

        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        // user nice system idle iowait irq softirq steal (guest time is already inside user).
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
        return new CoreStats(busy / TicksPerSecond);
    }

    /// <summary>The CPUs this process may run on, as the kernel lists them (e.g. "1").</summary>
    public static IReadOnlyList<int> AllowedCores()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
        var cores = new List<int>();
        foreach (var part in (line?.Split(':')[1] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var range = part.Split('-');
            var first = int.Parse(range[0], CultureInfo.InvariantCulture);
            var last = range.Length > 1 ? int.Parse(range[1], CultureInfo.InvariantCulture) : first;
            for (var core = first; core <= last; core++)
            {
                cores.Add(core);
            }
        }

        return cores;
    }
}
