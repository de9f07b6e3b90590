using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Storage;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Storage;

/// <summary>What a client naming info-hashes costs the operator on Table Storage: unknown hashes are answered from memory,
/// and the swarm cache stays within its bound however many swarms are named.</summary>
public sealed class WhenClientsNameSwarmsNobodyHas(AzuriteTables tables) : IClassFixture<AzuriteTables>
{
    [Fact]
    public async Task AScrapeOfAHundredUnknownHashesCostsNoTransactionAndNoCacheEntry()
    {
        // A scrape costs a budget token per hash it names: this one client starts with enough for its hundred.
        var settings = tables.NewStore();
        settings["Tracker:RateLimit:InitialTokens"] = "400";
        // A frozen clock: no minute's stats history sample (a listing and an upsert) lands between the two counts.
        await using var tracker = await RunningTracker.StartAsync(settings, RunningTracker.FrozenClock, ipv6: false);
        var store = tracker.Service<TableSwarmStore>();
        var known = Hash(700);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(known, 1, port: 7001));
        await tracker.Client.GetBencodeAsync(ScrapeUrl(known));
        var before = store.Metrics.Snapshot().Transactions;
        var cached = store.CachedSwarms;

        var unknown = Enumerable.Range(1000, 99).Select(Hash).Append(known).ToArray();
        var files = (await tracker.Client.GetBencodeAsync(ScrapeUrl(unknown)))["files"]!;

        Assert.Equal(100, files.Entries.Count);
        Assert.Equal(1, files.Find(known)!["complete"]!.Integer);
        Assert.Equal(0, files.Find(Hash(1000))!["complete"]!.Integer);
        Assert.Equal(before, store.Metrics.Snapshot().Transactions);
        Assert.Equal(cached, store.CachedSwarms);
    }

    [Fact]
    public async Task TheSwarmCacheKeepsToItsBound()
    {
        var settings = tables.NewStore();
        settings["Tracker:Tables:CacheMaxSwarms"] = "20";
        await using var tracker = await RunningTracker.StartAsync(settings, ipv6: false);
        var store = tracker.Service<TableSwarmStore>();
        for (var i = 0; i < 60; i++)
        {
            await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(2000 + i), 1, port: 7001));
        }

        // Eviction runs beside the requests: give it a moment.
        for (var wait = 0; wait < 50 && store.CachedSwarms > 20; wait++)
        {
            await Task.Delay(100);
        }

        Assert.InRange(store.CachedSwarms, 1, 20);
        // An evicted swarm is read again when asked for.
        Assert.Equal(1, (await tracker.Client.GetBencodeAsync(ScrapeUrl(Hash(2000))))["files"]!.Find(Hash(2000))!["complete"]!.Integer);
    }
}
