using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.Storage;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>What a UDP client naming swarms nobody has costs: unknown hashes in a scrape are answered from memory (on Table
/// Storage, no transaction and no cache entry).</summary>
public sealed class WhenSendersNameSwarmsNobodyHas : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task AScrapeOfSeventyFourUnknownHashesCostsNoTransactionAndNoCacheEntry()
    {
        // No stats history: its upsert a minute would be counted if a minute ended between the two counts.
        var settings = _azurite.TrackerTables();
        settings["Relay:HistoryMinutes"] = "0";
        await using var relay = await RelayHost.StartAsync(settings);
        var store = relay.Services.GetRequiredService<TableSwarmStore>();
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        var known = TestBytes.Twenty();
        await client.AnnounceAsync(id, known, TestBytes.Twenty(), 7001, left: 0, AnnounceEvent.Started);
        Assert.Equal((1, 0, 0), (await client.ScrapeAsync(id, known)).Single());
        var before = store.Metrics.Snapshot().Transactions;
        var cached = store.CachedSwarms;

        var hashes = Enumerable.Range(0, 73).Select(_ => TestBytes.Twenty()).Append(known).ToArray();
        for (var round = 0; round < 5; round++)
        {
            var counts = await client.ScrapeAsync(id, hashes);
            Assert.Equal(74, counts.Length);
            Assert.All(counts[..73], c => Assert.Equal((0, 0, 0), c));
            Assert.Equal((1, 0, 0), counts[73]);
        }

        Assert.Equal(before, store.Metrics.Snapshot().Transactions);
        Assert.Equal(cached, store.CachedSwarms);
    }
}
