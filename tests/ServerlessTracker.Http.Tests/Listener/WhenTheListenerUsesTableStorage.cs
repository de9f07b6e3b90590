using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>On Table Storage the store answers later: the accept thread hands the request's answer to the async path.</summary>
public sealed class WhenTheListenerUsesTableStorage(AzuriteTables tables) : IClassFixture<AzuriteTables>
{
    [Fact]
    public async Task AnnouncesAndScrapesAreAnsweredWhenTheStoreIs()
    {
        var settings = new Dictionary<string, string?>(tables.NewStore());
        await using var tracker = await ListenerTrackers.StartAsync(settings);
        var hash = Hash(531);
        var uri = tracker.ListenerUri();
        Assert.Null((await ListenerTrackers.ExchangeAsync(uri, Get(AnnounceUrl(hash, 1, port: 7001, left: 0)))).Bencode().Failure());

        // The first announce reads and writes a new partition: it waits for the store. A later one may find its write already
        // stored when the accept thread looks (a loaded machine preempts the thread while Azurite answers), and is then
        // answered at once: a fixed count over all three would measure the machine's load, not the listener.
        Assert.True(tracker.ListenerCounters().Slow >= 1, "the first announce did not wait for the store on the async path");
        var second = (await ListenerTrackers.ExchangeAsync(uri, Get(AnnounceUrl(hash, 2, port: 7002, left: 4)))).Bencode();
        Assert.Null(second.Failure());
        Assert.Equal(["127.0.0.1:7001"], second.Peers4());

        var scrape = (await ListenerTrackers.ExchangeAsync(uri, Get(ScrapeUrl(hash)))).Bencode();
        var stats = scrape["files"]!.Find(hash)!;
        Assert.Equal(1, stats["complete"]!.Integer);
        Assert.Equal(1, stats["incomplete"]!.Integer);

        var counters = tracker.ListenerCounters();
        Assert.Equal(3, counters.Served);
    }
}
