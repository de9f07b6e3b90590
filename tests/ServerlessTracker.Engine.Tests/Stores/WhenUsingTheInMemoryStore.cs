using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tests.Stores;

public class WhenUsingTheInMemoryStore
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private readonly SwarmSettings _settings = new();
    private readonly InMemorySwarmStore _store;

    public WhenUsingTheInMemoryStore() => _store = new InMemorySwarmStore(_settings, _time, new Random(1));

    private async Task<AnnounceResult> Announce(AnnounceCommand command)
    {
        var result = new AnnounceResult(_settings.MaxNumWant);
        await _store.AnnounceAsync(command, result, CancellationToken.None);
        return result;
    }

    [Fact]
    public async Task ScrapeReportsEachSwarmAndZerosForUnknown()
    {
        var other = InfoHash.ParseHex("ffffffffffffffffffffffffffffffffffffffff");
        await Announce(Peers.Announce(1, left: 0));
        await Announce(Peers.Announce(2, left: 0, @event: PeerEvent.Completed));
        await Announce(Peers.Announce(3, left: 9));
        var counts = new SwarmCounts[2];
        await _store.ScrapeAsync(new[] { Peers.Torrent, other }, counts, CancellationToken.None);
        Assert.Equal(new SwarmCounts(2, 1, 1), counts[0]);
        Assert.Equal(default, counts[1]);
    }

    [Fact]
    public async Task StoppedForAnUnknownSwarmCreatesNothing()
    {
        await Announce(Peers.Announce(1, @event: PeerEvent.Stopped));
        Assert.Equal(0, _store.SwarmCount);
    }

    [Fact]
    public async Task PurgeRemovesOnlyExpiredPeersAndEmptySwarms()
    {
        var second = InfoHash.ParseHex("0101010101010101010101010101010101010101");
        await Announce(Peers.Announce(1));
        await Announce(Peers.Announce(2, torrent: second));
        _time.Advance(TimeSpan.FromSeconds(_settings.PeerTtlSeconds - 100));
        await Announce(Peers.Announce(3));
        _time.Advance(TimeSpan.FromSeconds(200));

        var report = await _store.PurgeAsync(CancellationToken.None);

        Assert.Equal(2, report.PeersRemoved);
        Assert.Equal(1, report.SwarmsRemoved);
        var swarms = await _store.ListSwarmsAsync(CancellationToken.None);
        Assert.Equal(new SwarmSummary(Peers.Torrent, new SwarmCounts(0, 1, 0)), Assert.Single(swarms));
    }

    [Fact]
    public async Task EmptySwarmsKeepTheirCompletedCountUntilRetired()
    {
        await Announce(Peers.Announce(1, left: 0, @event: PeerEvent.Completed));
        await Announce(Peers.Announce(1, left: 0, @event: PeerEvent.Stopped));
        await _store.PurgeAsync(CancellationToken.None);
        Assert.Equal(1, Assert.Single(await _store.ListSwarmsAsync(CancellationToken.None)).Counts.Downloaded);

        _time.Advance(TimeSpan.FromSeconds(_settings.EmptySwarmRetentionSeconds + 1));
        await _store.PurgeAsync(CancellationToken.None);
        Assert.Empty(await _store.ListSwarmsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ConcurrentAnnouncesLoseNothing()
    {
        await Parallel.ForAsync(0, 20_000, async (i, _) =>
        {
            var torrent = InfoHash.FromBytes(Enumerable.Repeat((byte)(i % 7), 20).ToArray());
            await Announce(Peers.Announce(i, torrent: torrent, left: i % 3 == 0 ? 0 : 1));
        });
        var swarms = await _store.ListSwarmsAsync(CancellationToken.None);
        Assert.Equal(7, swarms.Count);
        Assert.Equal(20_000, swarms.Sum(s => s.Counts.Peers));
    }

    [Fact]
    public async Task PurgeRacingAnnouncesNeverLosesALivePeer()
    {
        var racing = Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                await _store.PurgeAsync(CancellationToken.None);
            }
        });
        for (var i = 0; i < 5_000; i++)
        {
            var torrent = InfoHash.FromBytes(Enumerable.Repeat((byte)(i % 50), 20).ToArray());
            await Announce(Peers.Announce(i, torrent: torrent));
            await Announce(Peers.Announce(i, torrent: torrent, @event: PeerEvent.Stopped));
            await Announce(Peers.Announce(i, torrent: torrent));
        }

        await racing;
        var swarms = await _store.ListSwarmsAsync(CancellationToken.None);
        Assert.Equal(5_000, swarms.Sum(s => s.Counts.Peers));
    }
}
