using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ServerlessTracker.Bench.Trackers;

/// <summary>
/// A child process pinned to one core with taskset, its output sent to a log file (never through a pipe to
/// this process: reading a chatty tracker's log would cost the load generator's core). The shell, env and
/// taskset exec into the program, so <see cref="Id"/> is the program's own process id.
/// </summary>
public sealed class PinnedProcess : IDisposable
{
    private readonly Process process;

    private PinnedProcess(Process process, string logPath)
    {
        this.process = process;
        LogPath = logPath;
    }

    public int Id => process.Id;

    public string LogPath { get; }

    public bool HasExited => process.HasExited;

    public static PinnedProcess Start(int core, string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory, string logPath)
    {
        // Variables go through env(1) on the command line: a shell drops inherited variables whose names are not
        // shell identifiers, and .NET configuration keys such as Logging__LogLevel__Microsoft.AspNetCore are not.
        var variables = environment.Select(pair => Quote($"{pair.Key}={pair.Value}"));
        var command = $"exec env {string.Join(' ', variables)} taskset -c {core} {string.Join(' ', arguments.Prepend(program).Select(Quote))} >{Quote(logPath)} 2>&1";
        var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = workingDirectory, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        // The load generator's own socket tuning must not leak into the tracker under test.
        info.Environment.Remove("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS");
        return new PinnedProcess(Process.Start(info) ?? throw new InvalidOperationException($"could not start {program}"), logPath);
    }

    /// <summary>Waits until the port accepts TCP connections; fails with the log's tail if the process dies first.</summary>
    public async Task WaitForTcpAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"process exited with code {process.ExitCode} before listening on {endpoint}; log {LogPath}:\n{Tail()}");
            }

            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await probe.ConnectAsync(endpoint, cancellation);
                return;
            }
            catch (SocketException) when (Stopwatch.GetTimestamp() < deadline)
            {
                // Fine-grained: the start-up figure is read from this wait, and a 100 ms poll rounded it up by as much.
                await Task.Delay(5, cancellation);
            }
            catch (SocketException error)
            {
                throw new TimeoutException($"nothing listens on {endpoint} after {timeout.TotalSeconds} s ({error.SocketErrorCode}); log {LogPath}:\n{Tail()}");
            }
        }
    }

    public string Tail()
    {
        try
        {
            var lines = File.ReadAllLines(LogPath);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 20)));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            // SIGTERM first, so a tracker can shut down cleanly (and flush traces a profiling run asked for).
            using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            {
                term?.WaitForExit(2000);
            }

            if (!process.WaitForExit(10_000))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }

        process.Dispose();
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
