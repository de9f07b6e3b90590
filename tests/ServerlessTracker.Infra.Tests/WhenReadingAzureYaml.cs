using System.Text.RegularExpressions;
using System.Xml.Linq;
using ServerlessTracker.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace ServerlessTracker.Infra.Tests;

/// <summary>azure.yaml: what azd reads to package, provision and deploy.</summary>
public sealed class WhenReadingAzureYaml
{
    private const string FunctionProject = "functions/ServerlessTracker.Server";

    // Command hooks azd runs (schemas/v1.0/azure.yaml.json in Azure/azure-dev).
    private static readonly HashSet<string> KnownHooks =
    [
        "preprovision", "postprovision", "preinfracreate", "postinfracreate", "preinfradelete", "postinfradelete",
        "predown", "postdown", "preup", "postup", "prepackage", "postpackage", "predeploy", "postdeploy",
        "prerestore", "postrestore",
    ];

    private readonly AzureYaml _yaml = new();

    [Fact]
    public void TheFunctionServiceIsTheCustomHandlerProjectOnAFunctionHost()
    {
        Assert.Matches("^[a-z0-9][a-z0-9-]*[a-z0-9]$", AzureYaml.Scalar(_yaml.Root, "name"));
        var api = AzureYaml.Map(AzureYaml.Map(_yaml.Root, "services"), "api");
        Assert.Equal("function", AzureYaml.Scalar(api, "host"));
        Assert.Equal("dotnet", AzureYaml.Scalar(api, "language"));
        var project = AzureYaml.Scalar(api, "project")!.TrimStart('.', '/');
        Assert.Equal(FunctionProject, project.TrimEnd('/'));
        Assert.True(File.Exists(Repository.PathOf($"{FunctionProject}/ServerlessTracker.Server.csproj")));
    }

    [Fact]
    public void EveryServiceProjectPathExists()
    {
        foreach (var (name, node) in AzureYaml.Entries(AzureYaml.Map(_yaml.Root, "services")))
        {
            var project = AzureYaml.Scalar((YamlMappingNode)node, "project");
            Assert.False(string.IsNullOrEmpty(project), $"service {name} has no project");
            Assert.True(Directory.Exists(Repository.PathOf(project!.TrimStart('.', '/'))), $"service {name}: {project} does not exist");
        }
    }

    [Fact]
    public void PlainDotnetPublishOfTheServiceGivesTheSelfContainedLinuxPackage()
    {
        // azd runs `dotnet publish <project> -c Release --output <dir>` with no runtime arguments: the project itself
        // must make a publish self-contained linux-x64, or the 'custom' runtime finds no .NET to run it.
        var project = XDocument.Load(Repository.PathOf($"{FunctionProject}/ServerlessTracker.Server.csproj"));
        var publishing = project.Root!.Elements("PropertyGroup")
            .Where(g => ((string?)g.Attribute("Condition") ?? "").Contains("_IsPublishing", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(publishing, g => (string?)g.Element("RuntimeIdentifier") == "linux-x64");
        Assert.Contains(publishing, g => (string?)g.Element("SelfContained") == "true");
    }

    [Fact]
    public void TheInfraModuleAndItsParametersExist()
    {
        var infra = AzureYaml.Map(_yaml.Root, "infra");
        Assert.Equal("bicep", AzureYaml.Scalar(infra, "provider"));
        var path = AzureYaml.Scalar(infra, "path") ?? "infra";
        var module = AzureYaml.Scalar(infra, "module") ?? "main";
        Assert.True(File.Exists(Repository.PathOf($"{path}/{module}.bicep")));
        Assert.True(File.Exists(Repository.PathOf($"{path}/{module}.parameters.json")));
    }

    [Fact]
    public void EveryHookIsAnAzdEventWithAnExecutableBashScript()
    {
        var hooks = AzureYaml.Map(_yaml.Root, "hooks");
        Assert.NotEmpty(hooks.Children);
        foreach (var (name, node) in AzureYaml.Entries(hooks))
        {
            Assert.Contains(name, KnownHooks);
            var hook = (YamlMappingNode)node;
            var runs = new[] { hook, TryMap(hook, "posix"), TryMap(hook, "windows") }
                .Where(h => h is not null)
                .Select(h => AzureYaml.Scalar(h!, "run"))
                .Where(run => run is not null)
                .ToList();
            Assert.NotEmpty(runs);
            foreach (var run in runs)
            {
                // On Linux and macOS azd executes the file itself: it needs the execute bit and a shebang.
                Assert.True(File.Exists(Repository.PathOf(run!)), $"hook {name}: {run} missing");
                Assert.True(Repository.IsExecutable(run!), $"hook {name}: {run} is not executable (git update-index --chmod=+x)");
                Assert.StartsWith("#!/usr/bin/env bash\n", Repository.Read(run!));
            }
        }
    }

    [Fact]
    public void ScriptsTheHooksRunAreExecutableAndSourcedOnesExist()
    {
        var hooksDir = Repository.PathOf("tools/hooks");
        foreach (var script in Directory.GetFiles(hooksDir, "*.sh"))
        {
            var text = File.ReadAllText(script);
            foreach (Match run in Regex.Matches(text, @"^""\$here/(?<name>[\w-]+\.sh)""", RegexOptions.Multiline))
            {
                var called = $"tools/hooks/{run.Groups["name"].Value}";
                Assert.True(File.Exists(Repository.PathOf(called)), $"{Path.GetFileName(script)} runs {called}, which is missing");
                Assert.True(Repository.IsExecutable(called), $"{called} is not executable");
            }

            foreach (Match sourced in Regex.Matches(text, @"^\. ""\$\(dirname ""\$\{BASH_SOURCE\[0\]\}""\)/(?<name>[\w-]+\.sh)""", RegexOptions.Multiline))
            {
                Assert.True(File.Exists(Path.Combine(hooksDir, sourced.Groups["name"].Value)), $"{Path.GetFileName(script)} sources a missing file");
            }
        }
    }

    private static YamlMappingNode? TryMap(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child as YamlMappingNode : null;
}
