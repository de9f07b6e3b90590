using System.Globalization;

namespace ServerlessTracker.UdpLoad;

/// <summary>A process's user + system CPU time in clock ticks, from /proc/PID/stat (Linux).</summary>
internal static class TrackerCpu
{
    /// <summary>USER_HZ: 100 on every mainstream Linux build (getconf CLK_TCK).</summary>
    public const int TicksPerSecond = 100;

    public static long Ticks(int pid)
    {
        if (pid == 0)
        {
            return 0;
        }

        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
