using System.Diagnostics;

namespace ServerlessTracker.Infra.Tests.Support;

/// <summary>Paths in the source tree and running external programs from tests.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Absolute path of a repository-relative path written with forward slashes.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public static string Read(string relative)
    {
        var path = PathOf(relative);
        Assert.True(File.Exists(path), $"{relative} is missing");
        return File.ReadAllText(path);
    }

    public static bool IsExecutable(string relative) =>
        OperatingSystem.IsWindows() || (File.GetUnixFileMode(PathOf(relative)) & UnixFileMode.UserExecute) != 0;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerlessTracker.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ServerlessTracker.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Runs a program to completion in the repository root; fails the test with a clear message when it is not installed.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {program}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"'{program}' is not installed or not on PATH ({e.Message}); tools/test.sh installs it.");
            throw;
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} ran longer than {timeout}: {await output}{await error}");
            }

            return (process.ExitCode, await output, await error);
        }
    }
}
