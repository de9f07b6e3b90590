using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>tools/test.sh runs the unit stage, then the integration stage: every test project of the solution is in exactly
/// one of them, so a new project cannot be left out of the test command.</summary>
public sealed partial class WhenStagingTheTests
{
    private static readonly string[] Stages = ["tests/unit.slnf", "tests/integration.slnf"];

    [Fact]
    public void EveryTestProjectIsInExactlyOneStage()
    {
        var inSolution = SolutionProject().Matches(Repository.Read("ServerlessTracker.sln"))
            .Select(m => m.Groups["path"].Value.Replace('\\', '/'))
            .Where(path => path.StartsWith("tests/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        var staged = Stages
            .SelectMany(filter =>
            {
                using var json = JsonDocument.Parse(Repository.Read(filter));
                return json.RootElement.GetProperty("solution").GetProperty("projects").EnumerateArray().Select(p => p.GetString()!.Replace('\\', '/')).ToList();
            })
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(inSolution);
        Assert.Equal(inSolution, staged);
        Assert.Contains("tests/unit.slnf", Repository.Read("tools/test.sh"));
        Assert.Contains("tests/integration.slnf", Repository.Read("tools/test.sh"));
    }

    [GeneratedRegex(@"""(?<path>[^""]+\.csproj)""")]
    private static partial Regex SolutionProject();
}
