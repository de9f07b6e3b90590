using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenApplyingFactors
{
    private static readonly InfoHash Other = InfoHash.ParseHex("00000000000000000000000000000000000000ff");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-04T12:00:00Z"));
    private readonly SwarmSettings _settings = new() { EnforceMinInterval = false };

    private async Task<(AnnouncePolicy Policy, InMemorySwarmStore Swarms, string Key, PasskeyAccount Account)> PrivateTrackerAsync(PrivateModeSettings? settings = null)
    {
        var policy = AnnouncePolicy.InMemory(_time, settings ?? new PrivateModeSettings { Enabled = true });
        var swarms = new InMemorySwarmStore(_settings, _time, new Random(1));
        var key = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        return (policy, swarms, key, policy.Passkeys.Find(key)!);
    }

    private async Task AnnounceAsync(AnnouncePolicy policy, InMemorySwarmStore swarms, string passkey, AnnounceCommand command)
    {
        var decision = policy.CheckAnnounce(Encoding.ASCII.GetBytes(passkey), command);
        Assert.True(decision.IsAllowed);
        var result = new AnnounceResult(_settings.MaxNumWant);
        await swarms.AnnounceAsync(command with { Accounted = decision.Account is not null }, result, default);
        AnnouncePolicy.Account(decision, result);
    }

    private static TorrentFactor Factor(InfoHash hash, int? upload, int? download, DateTimeOffset? from = null, DateTimeOffset? until = null) =>
        new(hash, hash.ToString(), upload, download, null, default, from, until);

    [Fact]
    public async Task AFreeleechTorrentCreditsUploadButNoDownload()
    {
        var (policy, swarms, key, account) = await PrivateTrackerAsync();
        await policy.Factors.SetAsync(Factor(Peers.Torrent, null, 0), default);

        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, uploaded: 700, downloaded: 5000));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 30, downloaded: 40, torrent: Other));

        Assert.Equal((700 + 30, 0 + 40), (account.Uploaded, account.Downloaded));
    }

    [Fact]
    public async Task DoubleUploadCreditsTwiceWhatWasUploaded()
    {
        var (policy, swarms, key, account) = await PrivateTrackerAsync();
        await policy.Factors.SetAsync(Factor(Peers.Torrent, 200, null), default);

        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 1000, downloaded: 300));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, uploaded: 1500, downloaded: 300));

        Assert.Equal((3000, 300), (account.Uploaded, account.Downloaded));
    }

    [Fact]
    public async Task HalfLeechCarriesTheOddByteToTheNextAnnounce()
    {
        var (policy, swarms, key, account) = await PrivateTrackerAsync();
        await policy.Factors.SetAsync(Factor(Peers.Torrent, null, 50), default);

        // Deltas 1, 1, 1, 7, 3 bytes at 50%: 13 bytes downloaded, 6.5 credited, so 6 whole bytes, never 0 (rounding each down) nor 8 (up).
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, downloaded: 1));
        long downloaded = 1;
        foreach (var delta in new long[] { 1, 1, 7, 3 })
        {
            downloaded += delta;
            await AnnounceAsync(policy, swarms, key, Peers.Announce(1, downloaded: downloaded));
        }

        Assert.Equal(6, account.Downloaded);
    }

    [Fact]
    public async Task CreditsAreExactToTheByteWhateverTheSplitOfDeltas()
    {
        var random = new Random(16);
        foreach (var percent in new[] { 0, 1, 33, 50, 99, 100, 101, 150, 200, 333, 1000 })
        {
            var (_, _, _, account) = await PrivateTrackerAsync();
            var factors = new TransferFactors(percent, 1000 - percent);
            long uploaded = 0;
            for (var i = 0; i < 500; i++)
            {
                var delta = random.NextInt64(0, 1_000_003);
                uploaded += delta;
                account.Add(delta, delta, factors);
            }

            Assert.Equal(uploaded * percent / 100, account.Uploaded);
            Assert.Equal(uploaded * (1000 - percent) / 100, account.Downloaded);
        }
    }

    [Fact]
    public async Task ConcurrentCreditsLoseNoFractionOfAByte()
    {
        var (_, _, _, account) = await PrivateTrackerAsync();
        var factors = new TransferFactors(33, 150);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                account.Add(7, 3, factors);
            }
        })));

        Assert.Equal(40_000L * 7 * 33 / 100, account.Uploaded);
        Assert.Equal(40_000L * 3 * 150 / 100, account.Downloaded);
    }

    [Fact]
    public async Task GlobalDefaultsApplyToTorrentsWithoutFactorsAndFillInFactorsNotGiven()
    {
        var (policy, swarms, key, account) = await PrivateTrackerAsync(new PrivateModeSettings { Enabled = true, UploadFactorPercent = 150, DownloadFactorPercent = 50 });
        // This torrent is freeleech; its upload keeps the default 150%.
        await policy.Factors.SetAsync(Factor(Other, null, 0), default);

        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100, downloaded: 100));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 10, downloaded: 10, torrent: Other));

        Assert.Equal((150 + 15, 50 + 0), (account.Uploaded, account.Downloaded));
    }

    [Fact]
    public async Task AFreeleechWeekendAppliesOnlyInsideItsWindow()
    {
        var (policy, swarms, key, account) = await PrivateTrackerAsync();
        var start = _time.GetUtcNow().AddHours(1);
        await policy.Factors.SetAsync(Factor(Peers.Torrent, null, 0, start, start.AddDays(2)), default);

        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, downloaded: 100));
        _time.Advance(TimeSpan.FromHours(1));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, downloaded: 300));
        _time.Advance(TimeSpan.FromDays(2));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, downloaded: 350));

        Assert.Equal(100 + 0 + 50, account.Downloaded);
    }

    [Fact]
    public async Task RemovingATorrentsFactorsBringsBackTheDefaults()
    {
        var (policy, swarms, key, account) = await PrivateTrackerAsync();
        await policy.Factors.SetAsync(Factor(Peers.Torrent, 0, 0), default);
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100, downloaded: 100));

        Assert.True(await policy.Factors.RemoveAsync(Peers.Torrent, default));
        Assert.False(await policy.Factors.RemoveAsync(Peers.Torrent, default));
        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, uploaded: 150, downloaded: 170));

        Assert.Equal((50, 70), (account.Uploaded, account.Downloaded));
    }

    [Fact]
    public async Task ALaterChangeWinsInAnyOrderAndARemovalIsNotUndoneByALateSet()
    {
        var one = new TorrentFactors(new InMemoryTorrentFactorStore(), _time);
        var two = new TorrentFactors(new InMemoryTorrentFactorStore(), _time);
        var freeleech = await one.SetAsync(Factor(Peers.Torrent, null, 0), default);
        _time.Advance(TimeSpan.FromSeconds(1));
        var removed = freeleech with { Version = freeleech.Version + 1000, Removed = true };

        Assert.True(two.Apply(removed));
        Assert.False(two.Apply(freeleech));
        Assert.True(one.Apply(removed));
        Assert.Equal(0, one.Count);
        Assert.Equal(0, two.Count);
        Assert.Equal(default, two.Resolve(Peers.Torrent, default));
    }

    [Theory]
    [InlineData(-1, null)]
    [InlineData(1001, null)]
    [InlineData(null, null)]
    public async Task NonsenseFactorsAreRefused(int? upload, int? download)
    {
        var factors = new TorrentFactors(new InMemoryTorrentFactorStore(), _time);

        await Assert.ThrowsAsync<ArgumentException>(async () => await factors.SetAsync(Factor(Peers.Torrent, upload, download), default));
        Assert.False(factors.Apply(Factor(Peers.Torrent, upload, download) with { Version = 1 }));
        Assert.False(factors.Apply(Factor(Peers.Torrent, 0, 0, _time.GetUtcNow(), _time.GetUtcNow()) with { Version = 1 }));
    }

    [Fact]
    public async Task AnAnnounceWithoutAPasskeyIsNotFactored()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        await policy.Factors.SetAsync(Factor(Peers.Torrent, 0, 0), default);

        var decision = policy.CheckAnnounce([], Peers.Announce(1));

        Assert.True(decision.IsAllowed);
        Assert.True(decision.Factors.IsUnfactored);
    }
}
