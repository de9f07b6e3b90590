using System.Text.Json;
using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Parameters and outputs line up: main.parameters.json with main.bicep, the hooks with the templates they deploy and the outputs they read.</summary>
public sealed partial class WhenReadingBicepParameters
{
    // Values azd itself puts in a hook's environment besides the Bicep outputs.
    private static readonly string[] AzdValues = ["AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID"];

    private readonly BicepText _main = new("infra/main.bicep");

    [Fact]
    public void TheParametersFileNamesOnlyParametersOfMainBicep()
    {
        var unknown = ParameterFileEntries().Keys.Except(_main.Parameters).ToList();
        Assert.True(unknown.Count == 0, "main.parameters.json sets parameters main.bicep does not declare: " + string.Join(", ", unknown));
    }

    [Fact]
    public void EveryParameterWithoutDefaultIsInTheParametersFile()
    {
        var missing = _main.RequiredParameters.Except(ParameterFileEntries().Keys).ToList();
        Assert.True(missing.Count == 0, "main.bicep parameters without default missing from main.parameters.json: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryParameterValueComesFromTheAzdEnvironment()
    {
        foreach (var (name, value) in ParameterFileEntries())
        {
            Assert.True(AzdVariablePattern().IsMatch(value), $"{name}: '{value}' is not ${{NAME}} or ${{NAME=default}}");
        }
    }

    [Fact]
    public void OutputsAreUpperSnakeCase()
    {
        Assert.NotEmpty(_main.Outputs);
        Assert.All(_main.Outputs, output => Assert.Matches("^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$", output));
    }

    [Fact]
    public void ModulesAndImportsPointAtFilesThatExist()
    {
        foreach (var file in Directory.GetFiles(Repository.PathOf("infra"), "*.bicep", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Repository.Root, file).Replace('\\', '/');
            foreach (var reference in new BicepText(relative).References)
            {
                Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(file)!, reference)), $"{relative} refers to missing {reference}");
            }
        }
    }

    [Theory]
    [InlineData("tools/hooks/deploy-relay.sh", "infra/app/relay.bicep")]
    [InlineData("tools/hooks/sync-subscriptions.sh", "infra/app/sync-subscriptions.bicep")]
    public void HooksPassExactlyTheParametersTheirTemplateTakes(string hook, string template)
    {
        var script = Repository.Read(hook);
        Assert.Contains($"--template-file \"$repo_root/{template}\"", script);
        var command = script[script.IndexOf("az deployment group create", StringComparison.Ordinal)..];
        command = command[..command.IndexOf("--output", StringComparison.Ordinal)];
        var passed = HookParameterPattern().Matches(command).Select(m => m.Groups["name"].Value)
            .Concat(ParameterFileTemplatePattern().Matches(script).Select(m => m.Groups["name"].Value))
            .ToHashSet();
        var bicep = new BicepText(template);
        var unknown = passed.Except(bicep.Parameters).ToList();
        var missing = bicep.RequiredParameters.Except(passed).ToList();
        Assert.True(unknown.Count == 0, $"{hook} passes parameters {template} does not declare: " + string.Join(", ", unknown));
        Assert.True(missing.Count == 0, $"{hook} does not pass required parameters of {template}: " + string.Join(", ", missing));
    }

    [Fact]
    public void HooksRequireOnlyValuesAzdOrMainBicepProvide()
    {
        var provided = _main.Outputs.Concat(AzdValues).ToHashSet();
        foreach (var hook in Directory.GetFiles(Repository.PathOf("tools/hooks"), "*.sh"))
        {
            foreach (Match require in RequirePattern().Matches(File.ReadAllText(hook)))
            {
                foreach (var name in require.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    Assert.True(provided.Contains(name), $"{Path.GetFileName(hook)} requires {name}, which neither azd nor main.bicep outputs");
                }
            }
        }
    }

    private static Dictionary<string, string> ParameterFileEntries()
    {
        using var json = JsonDocument.Parse(Repository.Read("infra/main.parameters.json"));
        return json.RootElement.GetProperty("parameters").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetProperty("value").ToString());
    }

    [GeneratedRegex(@"^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$")]
    private static partial Regex AzdVariablePattern();

    [GeneratedRegex(@"(?<=\s)(?<name>[a-z][A-Za-z0-9]*)=""")]
    private static partial Regex HookParameterPattern();

    [GeneratedRegex(@"""parameters"":\{""(?<name>\w+)""")]
    private static partial Regex ParameterFileTemplatePattern();

    [GeneratedRegex(@"^require (?<names>[A-Z0-9_ ]+)$", RegexOptions.Multiline)]
    private static partial Regex RequirePattern();
}
