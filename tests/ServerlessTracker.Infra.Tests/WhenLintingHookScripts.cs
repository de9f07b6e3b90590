using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>The hook scripts run on operators' machines, where a shell mistake costs a half-finished deployment.</summary>
public sealed class WhenLintingHookScripts
{
    [Fact]
    public async Task ShellcheckFindsNothing()
    {
        var scripts = Directory.GetFiles(Repository.PathOf("tools/hooks"), "*.sh")
            .Select(file => Path.GetRelativePath(Repository.Root, file).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(scripts);
        var (exit, output, error) = await Repository.RunAsync("shellcheck", ["--external-sources", "--severity=info", .. scripts], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, $"shellcheck (apt package shellcheck):\n{output}{error}");
    }

    [Fact]
    public void EveryScriptStopsOnTheFirstError()
    {
        foreach (var file in Directory.GetFiles(Repository.PathOf("tools/hooks"), "*.sh"))
        {
            Assert.Contains("set -euo pipefail", File.ReadAllText(file));
        }
    }
}
