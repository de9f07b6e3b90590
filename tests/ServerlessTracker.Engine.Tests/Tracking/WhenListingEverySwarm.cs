using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;

namespace ServerlessTracker.Engine.Tests.Tracking;

/// <summary>One list of every swarm per period, shared by every caller, and kept through a failed read.</summary>
public sealed class WhenListingEverySwarm
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    [Fact]
    public async Task CallersShareOneReadPerPeriod()
    {
        var store = new CountingStore();
        var listing = new SwarmListing(store, new SwarmListingSettings { RefreshSeconds = 30 }, _time);

        var first = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => listing.GetAsync(default).AsTask()));
        _time.Advance(TimeSpan.FromSeconds(29));
        var again = await listing.GetAsync(default);
        Assert.Equal(1, store.Reads);
        Assert.All(first, s => Assert.Same(again, s));

        _time.Advance(TimeSpan.FromSeconds(1));
        var next = await listing.GetAsync(default);
        Assert.Equal(2, store.Reads);
        Assert.True(next.Version > again.Version);
    }

    [Fact]
    public async Task AFailedReadKeepsThePreviousListAndWaitsAPeriod()
    {
        var store = new CountingStore();
        var listing = new SwarmListing(store, new SwarmListingSettings { RefreshSeconds = 30 }, _time);
        var before = await listing.GetAsync(default);

        store.Fail = true;
        _time.Advance(TimeSpan.FromSeconds(30));
        for (var i = 0; i < 10; i++)
        {
            Assert.Same(before, await listing.GetAsync(default));
        }

        Assert.Equal(2, store.Reads);
        store.Fail = false;
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.NotSame(before, await listing.GetAsync(default));
    }

    private sealed class CountingStore : ISwarmStore
    {
        private int _reads;

        public int Reads => Volatile.Read(ref _reads);

        public bool Fail { get; set; }

        public ValueTask AnnounceAsync(AnnounceCommand command, AnnounceResult result, CancellationToken cancellationToken) => default;

        public ValueTask<ScrapeStatus> ScrapeAsync(ReadOnlyMemory<InfoHash> hashes, Memory<SwarmCounts> counts, CancellationToken cancellationToken) => new(ScrapeStatus.Ok);

        public async ValueTask<IReadOnlyList<SwarmSummary>> ListSwarmsAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _reads);
            await Task.Yield();
            return Fail ? throw new IOException("storage down") : [new SwarmSummary(Peers.Torrent, new SwarmCounts(1, 2, 3))];
        }

        public ValueTask<PurgeReport> PurgeAsync(CancellationToken cancellationToken) => default;
    }
}
