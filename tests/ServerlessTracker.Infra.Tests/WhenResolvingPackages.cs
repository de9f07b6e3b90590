using System.Text.Json;
using System.Xml.Linq;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>Central package management pins transitive packages and audits them: what Azure deploys (the function app and the
/// UDP relay) runs one build of the Azure SDK core and of MSAL, and a known vulnerability in any package fails the build.</summary>
public sealed class WhenResolvingPackages
{
    private static readonly string[] Shared = ["Azure.Core", "Azure.Identity", "System.ClientModel", "Microsoft.Identity.Client", "Microsoft.Identity.Client.Extensions.Msal"];

    private static readonly string[] Deployed =
    [
        "functions/ServerlessTracker.FunctionApp/ServerlessTracker.FunctionApp.csproj",
        "functions/ServerlessTracker.UdpRelay/ServerlessTracker.UdpRelay.csproj",
        "functions/ServerlessTracker.Server/ServerlessTracker.Server.csproj",
    ];

    [Fact]
    public void TransitivePinningAndAuditOfEveryPackageAreOn()
    {
        var properties = XDocument.Parse(Repository.Read("Directory.Packages.props")).Descendants("PropertyGroup").Elements().ToList();
        string? Value(string name) => properties.LastOrDefault(p => p.Name.LocalName == name)?.Value.Trim();
        Assert.Equal("true", Value("CentralPackageTransitivePinningEnabled"));
        Assert.Equal("all", Value("NuGetAuditMode"));
        Assert.NotEqual("false", Value("NuGetAudit"));
        var build = XDocument.Parse(Repository.Read("Directory.Build.props")).Descendants("TreatWarningsAsErrors").Single().Value;
        Assert.Equal("true", build); // an audit warning (NU1901-NU1904) is then an error
    }

    [Fact]
    public void EveryPackageTheDeployedProjectsShareIsPinned()
    {
        var pinned = XDocument.Parse(Repository.Read("Directory.Packages.props")).Descendants("PackageVersion")
            .Select(p => (string)p.Attribute("Include")!).ToHashSet();
        Assert.All(Shared, name => Assert.Contains(name, pinned));
    }

    [Fact]
    public async Task TheFunctionAppTheRelayAndTheServerResolveTheSameAzureCoreAndMsal()
    {
        var resolved = new Dictionary<string, Dictionary<string, string>>();
        foreach (var project in Deployed)
        {
            // A no-op when the build restored already; the package cache holds what it needs.
            var (exit, output, error) = await Repository.RunAsync("dotnet", ["restore", project, "--verbosity", "quiet"], TimeSpan.FromMinutes(3));
            Assert.True(exit == 0, $"dotnet restore {project}: {output}{error}");
            using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(Repository.PathOf(project))!, "obj", "project.assets.json")));
            resolved[project] = assets.RootElement.GetProperty("libraries").EnumerateObject()
                .Select(library => library.Name.Split('/'))
                .Where(parts => Shared.Contains(parts[0]))
                .ToDictionary(parts => parts[0], parts => parts[1]);
        }

        foreach (var name in Shared)
        {
            var versions = resolved.Where(r => r.Value.ContainsKey(name)).Select(r => $"{Path.GetFileNameWithoutExtension(r.Key)} {r.Value[name]}").ToList();
            Assert.True(versions.Count == Deployed.Length, $"{name} is not in every deployed project: {string.Join(", ", versions)}");
            Assert.True(resolved.Values.Select(r => r[name]).Distinct().Count() == 1, $"{name} differs: {string.Join(", ", versions)}");
        }
    }
}
