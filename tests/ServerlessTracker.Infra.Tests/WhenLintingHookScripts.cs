using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Every shell script of the repository: the hooks run on operators' machines, where a shell mistake costs a
/// half-finished deployment; the test command and CI run on fresh machines.</summary>
public sealed class WhenLintingHookScripts
{
    private static List<string> Scripts() =>
        [.. Directory.GetFiles(Repository.PathOf("tools"), "*.sh", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}node_modules{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(file => Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))
            .Append(".ci/run")
            .Order(StringComparer.Ordinal)];

    [Fact]
    public async Task ShellcheckFindsNothing()
    {
        var scripts = Scripts();
        Assert.NotEmpty(scripts);
        var (exit, output, error) = await Repository.RunAsync("shellcheck", ["--external-sources", "--severity=info", .. scripts], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, $"shellcheck (apt package shellcheck):\n{output}{error}");
    }

    [Fact]
    public void EveryScriptStopsOnTheFirstError()
    {
        foreach (var file in Scripts())
        {
            Assert.True(Repository.Read(file).Contains("set -euo pipefail", StringComparison.Ordinal), $"{file} does not stop on the first error");
        }
    }
}
