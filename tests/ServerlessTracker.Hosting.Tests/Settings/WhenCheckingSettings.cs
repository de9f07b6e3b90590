using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ServerlessTracker.Hosting;
using ServerlessTracker.Hosting.Settings;

namespace ServerlessTracker.Hosting.Tests.Settings;

public sealed class WhenCheckingSettings
{
    private sealed class Sample
    {
        public int IntervalSeconds { get; set; }

        public string[] Proxies { get; set; } = [];

        public List<string> Names { get; } = [];

        public Dictionary<string, int> Weights { get; set; } = [];

        public Nested Inner { get; set; } = new();

        public int Computed => IntervalSeconds * 2;
    }

    private sealed class Nested
    {
        public bool? Enabled { get; set; }
    }

    private static readonly SettingsSection[] Sections = [new("Tracker:Sample", typeof(Sample))];

    private static IConfiguration With(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void KnownKeysFollowTheOptionsClassesPropertiesListsDictionariesAndNesting() =>
        Assert.Equal(
            ["Tracker:Sample:Inner:Enabled", "Tracker:Sample:IntervalSeconds", "Tracker:Sample:Names:{n}", "Tracker:Sample:Proxies:{n}", "Tracker:Sample:Weights:{*}"],
            SettingsSchema.KnownKeys(Sections));

    [Fact]
    public void KeysAnOptionsClassReadsPassInAnyCase()
    {
        var configuration = With(("tracker:sample:intervalseconds", "5"), ("Tracker:Sample:Proxies:0", "a"), ("Tracker:Sample:Proxies:12", "b"),
            ("Tracker:Sample:Weights:anything", "1"), ("Tracker:Sample:Inner:Enabled", "true"), ("Other:Thing", "x"));
        Assert.Empty(SettingsSchema.FindUnknown(configuration, Sections));
    }

    [Fact]
    public void ATypoIsNamedWithTheKeyItProbablyMeant()
    {
        var unknown = SettingsSchema.FindUnknown(With(("Tracker:Sample:IntervalSecond", "5"), ("Tracker:Sample:Proxies:x", "a"), ("Relay:Nothing:Like:It", "1")), Sections);
        Assert.Equal(
            [("Relay:Nothing:Like:It", null), ("Tracker:Sample:IntervalSecond", "Tracker:Sample:IntervalSeconds"), ("Tracker:Sample:Proxies:x", "Tracker:Sample:Proxies:{n}")],
            unknown);
        var message = SettingsSchema.Describe(unknown);
        Assert.Contains("'Tracker:Sample:IntervalSecond' (did you mean 'Tracker:Sample:IntervalSeconds'?)", message);
    }

    [Fact]
    public async Task TheCoreRefusesToStartWithAnUnknownKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Tracker:Swarm:IntervalSecond", "100")]);
        builder.Services.AddTrackerCore(builder.Configuration, TrackerHostKind.SelfHosted);
        using var host = builder.Build();
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("'Tracker:Swarm:IntervalSecond' (did you mean 'Tracker:Swarm:IntervalSeconds'?)", failure.Message);
    }

    [Fact]
    public async Task TheCoreStartsWithItsOwnKeys()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Tracker:Swarm:IntervalSeconds", "100"), new("Tracker:Region", "east"), new("Tracker:Purge:InProcessTimer", "false")]);
        builder.Services.AddTrackerCore(builder.Configuration, TrackerHostKind.SelfHosted);
        using var host = builder.Build();
        await host.StartAsync();
        await host.StopAsync();
    }
}
