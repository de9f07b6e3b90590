using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Hosting.Settings;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Infra.Tests.Support;
using ServerlessTracker.UdpRelay.Hosting;

namespace ServerlessTracker.Infra.Tests;

/// <summary>The docs and the options classes say the same: every key the code reads is documented, and every key the docs
/// name is read (docs/configuration.md, and the pages that hold a section's full table).</summary>
public sealed partial class WhenDocumentingConfiguration
{
    private static readonly IReadOnlyList<string> Known = KnownKeys();

    // configuration.md shows what a typo does with this one.
    private const string DeliberateTypo = "Tracker:Swarm:IntervalSecond";

    private static IReadOnlyList<string> KnownKeys()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();
        services.AddTracker(configuration, FunctionsHost.Standalone);
        services.AddUdpRelay(configuration);
        return SettingsSchema.KnownKeys(services.Select(d => d.ImplementationInstance).OfType<SettingsSection>());
    }

    private static string AllDocs() =>
        string.Join('\n', Directory.GetFiles(Repository.PathOf("docs"), "*.md").Append(Repository.PathOf("README.md")).Select(File.ReadAllText));

    [Fact]
    public void EveryKeyTheCodeReadsIsDocumented()
    {
        var docs = AllDocs();
        var undocumented = Known
            .Select(pattern => pattern.Replace(":{n}", "", StringComparison.Ordinal).Replace(":{*}", "", StringComparison.Ordinal))
            .Where(key => !docs.Contains(key, StringComparison.OrdinalIgnoreCase) && !docs.Contains(Shortened(key), StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.True(undocumented.Count == 0, "keys no page documents: " + string.Join(", ", undocumented));
    }

    [Fact]
    public void EveryKeyTheDocsNameIsRead()
    {
        var patterns = Known.Select(k => k.Split(':')).ToList();
        var unknown = DocumentedKey().Matches(AllDocs())
            .Select(m => m.Groups["key"].Value.TrimEnd(':'))
            .Where(key => !key.Contains('*') && key != DeliberateTypo && !patterns.Any(p => IsPrefixOf(key.Split(':'), p)))
            .Distinct()
            .ToList();
        Assert.True(unknown.Count == 0, "keys the docs name but nothing reads: " + string.Join(", ", unknown));
    }

    // A documented key may stand for a whole section (Tracker:Network) or a list (Tracker:Network:TrustedProxies).
    private static bool IsPrefixOf(string[] key, string[] pattern) =>
        key.Length <= pattern.Length && key.Select((part, i) => pattern[i] is "{n}" or "{*}" || string.Equals(part, pattern[i], StringComparison.OrdinalIgnoreCase)).All(x => x);

    // The section's tables (storage.md, udp-relay.md) list keys without their section: `Tracker:Tables:*` + `MaxBatchSize`.
    private static string Shortened(string key) => "`" + key[(key.LastIndexOf(':') + 1)..] + "`";

    [GeneratedRegex(@"(?<![\w/])(?<key>(?:Tracker|Relay)(?::[A-Za-z*][A-Za-z0-9*]*)+)")]
    private static partial Regex DocumentedKey();
}
