using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using ServerlessTracker.Infra.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace ServerlessTracker.Infra.Tests;

/// <summary>azure.yaml: what azd reads to package, provision and deploy.</summary>
public sealed class WhenReadingAzureYaml
{
    private const string FunctionProject = "functions/ServerlessTracker.FunctionApp";
    private const string FunctionCsproj = FunctionProject + "/ServerlessTracker.FunctionApp.csproj";

    // Command hooks azd runs (schemas/v1.0/azure.yaml.json in Azure/azure-dev).
    private static readonly HashSet<string> KnownHooks =
    [
        "preprovision", "postprovision", "preinfracreate", "postinfracreate", "preinfradelete", "postinfradelete",
        "predown", "postdown", "preup", "postup", "prepackage", "postpackage", "predeploy", "postdeploy",
        "prerestore", "postrestore",
    ];

    private readonly AzureYaml _yaml = new();

    [Fact]
    public void TheFunctionServiceIsTheIsolatedWorkerProjectOnAFunctionHost()
    {
        Assert.Matches("^[a-z0-9][a-z0-9-]*[a-z0-9]$", AzureYaml.Scalar(_yaml.Root, "name"));
        var api = AzureYaml.Map(AzureYaml.Map(_yaml.Root, "services"), "api");
        Assert.Equal("function", AzureYaml.Scalar(api, "host"));
        Assert.Equal("dotnet", AzureYaml.Scalar(api, "language"));
        var project = AzureYaml.Scalar(api, "project")!.TrimStart('.', '/');
        Assert.Equal(FunctionProject, project.TrimEnd('/'));
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
    public void PlainDotnetPublishOfTheServiceGivesTheFrameworkDependentReadyToRunLinuxWorker()
    {
        // azd runs `dotnet publish <project> -c Release --output <dir>` with no runtime arguments: the project itself must
        // make the publish linux-x64 ReadyToRun. Framework-dependent: Flex Consumption's dotnet-isolated 10.0 brings .NET.
        var project = XDocument.Load(Repository.PathOf(FunctionCsproj));
        var properties = project.Root!.Elements("PropertyGroup").SelectMany(g => g.Elements()).ToList();
        string?[] Values(string name) => properties.Where(p => p.Name.LocalName == name).Select(p => (string?)p).ToArray();
        Assert.Contains("Exe", Values("OutputType"));
        Assert.Contains("linux-x64", Values("RuntimeIdentifier"));
        Assert.Contains("true", Values("PublishReadyToRun"));
        Assert.DoesNotContain("true", Values("SelfContained"));
        Assert.Contains(
            project.Root.Descendants("PackageReference"),
            r => (string?)r.Attribute("Include") == "Microsoft.Azure.Functions.Worker.Sdk");
    }

    [Fact]
    public void TheHostJsonItPublishesHasNoRoutePrefixAndNoCustomHandler()
    {
        // The Front Door route, the webhook URL of the sync subscriptions (/sync/events) and the tracker's own URLs
        // (/announce) all assume routes without the default "api/" prefix.
        var project = XDocument.Load(Repository.PathOf(FunctionCsproj));
        var include = project.Root!.Descendants()
            .Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update"))
            .FirstOrDefault(path => path is not null && Path.GetFileName(path.Replace('\\', '/')) == "host.json");
        Assert.False(include is null, $"{FunctionCsproj} does not copy a host.json to its output");
        var hostJson = Path.GetFullPath(Path.Combine(Repository.PathOf(FunctionProject), include!.Replace('\\', Path.DirectorySeparatorChar)));
        using var json = JsonDocument.Parse(File.ReadAllText(hostJson), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        Assert.Equal("", json.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.False(json.RootElement.TryGetProperty("customHandler", out _), $"{hostJson} still declares a custom handler");
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
