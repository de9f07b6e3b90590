using System.Collections.Concurrent;
using System.Diagnostics;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>
/// The published worker running as the host runs it: its own process, the host's environment plus the app
/// settings and the two directory variables the worker requires (functions-worker.md §2), output captured.
/// A worker is never left behind: it is killed with its process tree on dispose, and on test-run exit.
/// </summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly OrphanGuard? _guard;
    private readonly EmulatorDiagnostics _diagnostics;

    private WorkerProcess(Process process, OrphanGuard? guard, EmulatorDiagnostics diagnostics)
    {
        _process = process;
        _guard = guard;
        _diagnostics = diagnostics;
        Id = process.Id;
        Exited = WatchAsync();
    }

    /// <summary>The process id, still readable after dispose (a test checks the process is gone).</summary>
    public int Id { get; }

    /// <summary>Completes with the exit code when the process ends, whoever ended it.</summary>
    public Task<int> Exited { get; }

    public static WorkerProcess Start(
        string workerDirectory, WorkerLaunch launch, IReadOnlyDictionary<string, string?> appSettings, EmulatorDiagnostics diagnostics)
    {
        var start = new ProcessStartInfo(launch.Executable)
        {
            WorkingDirectory = workerDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Its own stdin, never the test runner's.
            RedirectStandardInput = true,
        };
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in appSettings)
        {
            // Null removes an inherited variable: a test can make sure a setting is absent.
            start.Environment[name] = value;
        }

        // The worker resolves script_file and host.json against these; it throws without them.
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = workerDirectory;
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = workerDirectory;

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { diagnostics.AddOutput("stdout", e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { diagnostics.AddOutput("stderr", e.Data); } };
        process.Start();
        ProcessReaper.Track(process);
        var guard = OrphanGuard.Start(process.Id);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        diagnostics.Note($"started worker pid {process.Id}: {launch.Executable} {string.Join(' ', launch.Arguments)}");
        return new WorkerProcess(process, guard, diagnostics);
    }

    /// <summary>Waits for the process to end by itself, then kills the tree; true if it ended by itself.</summary>
    public async Task<bool> WaitOrKillAsync(TimeSpan wait)
    {
        if (await Task.WhenAny(Exited, Task.Delay(wait)) == Exited)
        {
            return true;
        }

        Kill();
        _diagnostics.Note($"worker pid {Id} did not exit within {wait.TotalSeconds:F0} s: killed");
        await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(10)));
        return false;
    }

    public void Kill() => ProcessReaper.Kill(_process);

    public async ValueTask DisposeAsync()
    {
        Kill();
        await Task.WhenAny(Exited, Task.Delay(TimeSpan.FromSeconds(10)));
        ProcessReaper.Forget(_process);
        _process.Dispose();
        _guard?.Dispose();
    }

    private async Task<int> WatchAsync()
    {
        // Also waits for the output pipes to drain, so the last lines are in the diagnostics before anyone reads them.
        await _process.WaitForExitAsync();
        var code = _process.ExitCode;
        _diagnostics.ExitCode = code;
        _diagnostics.Note($"worker pid {_process.Id} exited with code {code}");
        return code;
    }
}

/// <summary>Every live worker of this test run, killed when the run's process exits (even if a test forgot to dispose).</summary>
internal static class ProcessReaper
{
    private static readonly ConcurrentDictionary<int, Process> Live = new();

    static ProcessReaper() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Live.Values)
        {
            Kill(process);
        }
    };

    public static void Track(Process process) => Live[process.Id] = process;

    public static void Forget(Process process) => Live.TryRemove(process.Id, out _);

    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting right now; nothing left to kill.
        }
    }
}

/// <summary>
/// For a test run that dies without running ProcessExit (SIGKILL from a hang timeout, a crash): the isolated
/// worker does not exit when its host's gRPC stream breaks (seen still running 30 s after its host was killed),
/// so a small shell outlives the test run and kills it. The shell waits for end-of-file on a pipe that only the
/// test run holds; the kernel closes the pipe however the run ends. On a normal dispose the guard is killed first.
/// </summary>
internal sealed class OrphanGuard : IDisposable
{
    private readonly Process _shell;

    private OrphanGuard(Process shell) => _shell = shell;

    public static OrphanGuard? Start(int workerPid)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return null;
        }

        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // 'read' is a builtin: no child process to leave behind when the guard itself is killed.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("while read -r _; do :; done; kill -KILL \"$0\" 2>/dev/null");
        start.ArgumentList.Add(workerPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var shell = Process.Start(start)!;
        ProcessReaper.Track(shell);
        return new OrphanGuard(shell);
    }

    public void Dispose()
    {
        ProcessReaper.Kill(_shell);
        _shell.WaitForExit(TimeSpan.FromSeconds(5));
        ProcessReaper.Forget(_shell);
        _shell.Dispose();
    }
}
