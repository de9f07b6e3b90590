using System.Text.Json;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Every template compiles and lints with the Bicep CLI without a single diagnostic: a warning is a deployment
/// that may fail in Azure (a property the API does not know, an output read from a module that may not exist).</summary>
/// <remarks>Offline: <c>--no-restore</c> keeps the CLI away from module registries (the templates use local files only).
/// relay.bicep and sync-subscriptions.bicep are deployed by the hooks, not through main.bicep, so the pattern runs
/// cover them too.</remarks>
public sealed class WhenCompilingTheBicep
{
    private const string EveryTemplate = "infra/**/*.bicep";

    [Fact]
    public async Task MainBicepBuildsToASubscriptionTemplateWithoutADiagnostic()
    {
        var (exit, output, error) = await BicepCli.RunAsync("build", "infra/main.bicep", "--stdout", "--no-restore");
        AssertClean("bicep build infra/main.bicep", exit, BicepCli.Diagnostics(error), error);
        using var template = JsonDocument.Parse(output);
        Assert.Contains("subscriptionDeploymentTemplate.json", template.RootElement.GetProperty("$schema").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryTemplateBuildsWithoutADiagnostic()
    {
        var outDir = Directory.CreateTempSubdirectory("bicep-build-");
        try
        {
            var (exit, output, error) = await BicepCli.RunAsync("build", "--pattern", EveryTemplate, "--outdir", outDir.FullName, "--no-restore");
            AssertClean($"bicep build --pattern {EveryTemplate}", exit, BicepCli.Diagnostics(output + error), output + error);
            foreach (var template in Templates())
            {
                var json = Path.ChangeExtension(Path.Combine(outDir.FullName, Path.GetRelativePath(Repository.PathOf("infra"), template)), ".json");
                Assert.True(File.Exists(json), $"bicep build wrote no {Path.GetFileName(json)} for {template}");
            }
        }
        finally
        {
            outDir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task EveryTemplateLintsWithoutADiagnostic()
    {
        var (exit, output, error) = await BicepCli.RunAsync("lint", "--pattern", EveryTemplate, "--no-restore");
        AssertClean($"bicep lint --pattern {EveryTemplate}", exit, BicepCli.Diagnostics(output + error), output + error);
    }

    [Fact]
    public void TheDiagnosticPatternCatchesTheCliFormat()
    {
        const string sample =
            "/r/infra/app/registry.bicep(18,5) : Warning BCP037: The property \"x\" is not allowed.\n" +
            "/r/infra/main.bicep(149,5) : Warning no-unnecessary-dependson: Remove unnecessary dependsOn entry 'frontDoor'.\n" +
            "/r/infra/app/relay.bicep(139,3) : Error BCP019: Expected a new line character at this location.\n";
        Assert.Equal(3, BicepCli.Diagnostics(sample).Count);
        Assert.Empty(BicepCli.Diagnostics("{\n  \"$schema\": \"https://schema.management.azure.com/...\"\n}"));
    }

    private static string[] Templates() =>
        Directory.GetFiles(Repository.PathOf("infra"), "*.bicep", SearchOption.AllDirectories);

    private static void AssertClean(string command, int exit, IReadOnlyList<string> diagnostics, string text)
    {
        Assert.True(diagnostics.Count == 0, $"{command}: {diagnostics.Count} diagnostic(s):\n{string.Join('\n', diagnostics)}");
        Assert.True(exit == 0, $"{command} exited {exit}:\n{text}");
    }
}
