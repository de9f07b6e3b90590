using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Storage.Tests;

public sealed class WhenConfiguringTheStore
{
    [Fact]
    public void NeitherEndpointKeepsTheRegisteredStore()
    {
        var services = Services(new Dictionary<string, string?>());

        using var provider = services.BuildServiceProvider();
        Assert.IsType<InMemorySwarmStore>(provider.GetRequiredService<ISwarmStore>());
        Assert.False(TableStoreOptions.IsConfigured(new ConfigurationBuilder().Build()));
    }

    [Fact]
    public void AConnectionStringSelectsTheTableStore()
    {
        var services = Services(new Dictionary<string, string?>
        {
            ["Tracker:Tables:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Tracker:Tables:CacheStalenessMilliseconds"] = "2500",
        });

        using var provider = services.BuildServiceProvider();
        Assert.IsType<TableSwarmStore>(provider.GetRequiredService<ISwarmStore>());
        Assert.Equal(2500, provider.GetRequiredService<IOptions<TableStoreOptions>>().Value.CacheStalenessMilliseconds);
    }

    [Fact]
    public void AServiceUriSelectsTheTableStoreWithoutASecret()
    {
        var services = Services(new Dictionary<string, string?> { ["Tracker:Tables:ServiceUri"] = "https://account.table.core.windows.net" });

        using var provider = services.BuildServiceProvider();
        Assert.IsType<TableSwarmStore>(provider.GetRequiredService<ISwarmStore>());
    }

    [Theory]
    [InlineData("Tracker:Tables:MaxBatchSize", "101")]
    [InlineData("Tracker:Tables:SwarmsTable", "bad-name")]
    [InlineData("Tracker:Tables:IndexTable", "swarms")]
    [InlineData("Tracker:Tables:InstanceId", "no spaces")]
    [InlineData("Tracker:Tables:ServiceUri", "relative/path")]
    public void ABadSettingFailsAtStart(string key, string value)
    {
        var services = Services(new Dictionary<string, string?> { ["Tracker:Tables:ConnectionString"] = "UseDevelopmentStorage=true", [key] = value });

        using var provider = services.BuildServiceProvider();
        Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IOptions<TableStoreOptions>>().Value);
    }

    [Fact]
    public void DefaultsAreValidOnceAnEndpointIsSet()
    {
        var options = new TableStoreOptions { ConnectionString = "UseDevelopmentStorage=true" };
        var results = new List<ValidationResult>();

        Assert.True(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true), string.Join("; ", results));
        var empty = new TableStoreOptions();
        Assert.NotEmpty(empty.Validate(new ValidationContext(empty)));
        Assert.False(Validator.TryValidateObject(empty, new ValidationContext(empty), results, validateAllProperties: true));
    }

    private static ServiceCollection Services(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton(new SwarmSettings());
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ISwarmStore>(sp => new InMemorySwarmStore(sp.GetRequiredService<SwarmSettings>(), TimeProvider.System));
        services.AddTableSwarmStore(configuration);
        return services;
    }
}
