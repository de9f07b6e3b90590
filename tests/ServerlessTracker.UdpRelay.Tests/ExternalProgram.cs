using System.ComponentModel;
using System.Diagnostics;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>Runs a real client program for end-to-end tests; a missing program fails the test with what to install.</summary>
public static class ExternalProgram
{
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string installHint)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {fileName}");
        }
        catch (Win32Exception exception)
        {
            throw new InvalidOperationException($"'{fileName}' is not installed or not on PATH ({exception.Message}). {installHint}", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} did not finish within {timeout.TotalSeconds} s: {await output}{await errors}");
            }

            return (process.ExitCode, await output, await errors);
        }
    }

    /// <summary>The repository root (where ServerlessTracker.sln is), found from the test binaries upward.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ServerlessTracker.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ServerlessTracker.sln not found above " + AppContext.BaseDirectory);
    }

    public static string ClientScript(string name) => Path.Combine(AppContext.BaseDirectory, "Clients", name);
}
