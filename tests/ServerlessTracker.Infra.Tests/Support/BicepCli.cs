using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ServerlessTracker.Infra.Tests.Support;

/// <summary>The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (a PackageDownload of this test
/// project): its path is recorded in the test assembly at build time. ST_BICEP overrides it, e.g. on another OS.</summary>
public static partial class BicepCli
{
    public static string Executable { get; } = Find();

    /// <summary>Runs <c>bicep</c> in the repository root, offline (<c>--no-restore</c> is the caller's to pass).</summary>
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] arguments) =>
        Repository.RunAsync(Executable, arguments, TimeSpan.FromMinutes(3));

    /// <summary>The ARM JSON of one template (<c>bicep build --stdout</c>), failing the test on any diagnostic.</summary>
    public static async Task<JsonDocument> BuildAsync(string relativePath)
    {
        var (exit, output, error) = await RunAsync("build", relativePath, "--stdout", "--no-restore");
        var diagnostics = Diagnostics(error);
        Assert.True(exit == 0 && diagnostics.Count == 0, $"bicep build {relativePath} exited {exit}:\n{error}");
        return JsonDocument.Parse(output);
    }

    /// <summary>The resources of an ARM template: an array, or an object by symbolic name (languageVersion 2.0).</summary>
    public static IEnumerable<JsonElement> Resources(JsonDocument template)
    {
        var resources = template.RootElement.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : resources.EnumerateObject().Select(p => p.Value).ToList();
    }

    /// <summary>Diagnostic lines (<c>file(line,col) : Warning BCP037: ...</c>, also Error and Info) in the CLI's output.</summary>
    public static IReadOnlyList<string> Diagnostics(string output) =>
        DiagnosticPattern().Matches(output).Select(m => m.Value.Trim()).ToList();

    private static string Find()
    {
        var path = Environment.GetEnvironmentVariable("ST_BICEP");
        if (string.IsNullOrEmpty(path))
        {
            path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "BicepCli").Value;
        }

        Assert.True(
            File.Exists(path),
            $"Bicep CLI not found at {path}: `dotnet restore tests/ServerlessTracker.Infra.Tests` downloads it (Linux x64; elsewhere set ST_BICEP).");
        if (!OperatingSystem.IsWindows())
        {
            // NuGet extracts files without their execute bits on some versions: give them back.
            var mode = File.GetUnixFileMode(path);
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            if ((mode & UnixFileMode.UserExecute) == 0)
            {
                File.SetUnixFileMode(path, mode | execute);
            }
        }

        return path!;
    }

    [GeneratedRegex(@"^.*\(\d+,\d+\) : (Error|Warning|Info) .*$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticPattern();
}
