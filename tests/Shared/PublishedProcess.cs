using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ServerlessTracker.Tests.Shared;

/// <summary>A published executable (the Native AOT server or relay) run as a user or a container runs it: settings as
/// environment variables (<c>Tracker:Swarm:IntervalSeconds</c> → <c>Tracker__Swarm__IntervalSeconds</c>), its output kept
/// for failure messages, stopped with SIGTERM so it shuts down as it would in production (linked into the test projects
/// that publish).</summary>
public sealed class PublishedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    private PublishedProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything it wrote to standard output and error so far.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Runs <c>dotnet publish</c> of a project (Release) into <paramref name="output"/>, failing the test with
    /// the build's output if it fails.</summary>
    public static async Task PublishAsync(string project, string output)
    {
        await using var publish = Start("dotnet", new Dictionary<string, string?>(),
            "publish", project, "-c", "Release", "-o", output, "--artifacts-path", output + "-artifacts", "-nologo");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        await publish.WaitForExitAsync(timeout.Token);
        Assert.True(publish.ExitCode == 0, $"dotnet publish {project} failed:\n{publish.Log}");
    }

    /// <summary>Deletes a <see cref="PublishAsync"/> output and its build artifacts.</summary>
    public static void DeletePublished(string output)
    {
        foreach (var dir in new[] { output, output + "-artifacts" })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    public static PublishedProcess Start(string executable, IDictionary<string, string?> settings, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return new PublishedProcess(Process.Start(start)!);
    }

    /// <summary>Starts it with <paramref name="settings"/> and waits for it to exit by itself (a refused start).</summary>
    public static async Task<PublishedProcess> RunToExitAsync(string executable, IDictionary<string, string?> settings)
    {
        var process = Start(executable, settings);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return process;
    }

    public async Task WaitForExitAsync(CancellationToken cancellationToken)
    {
        await _process.WaitForExitAsync(cancellationToken);

        // The asynchronous readers may still hold the last lines; the parameterless wait drains them.
        _process.WaitForExit();
    }

    /// <summary>SIGTERM (pending writes are flushed), then a kill if it takes longer than 15 s.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    /// <summary>SIGTERM, as a service manager or container runtime stops it; a kill if it takes longer than 15 s.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.WaitForExit();
    }

    /// <summary>Stops it with SIGTERM and asserts it ended as a stopped service should: exit code 0, no unhandled exception.</summary>
    public async Task StopAndAssertCleanExitAsync()
    {
        await StopAsync();
        Assert.True(ExitCode == 0, $"exit code {ExitCode}:\n{Log}");
        Assert.DoesNotContain("Unhandled exception", Log, StringComparison.Ordinal);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
