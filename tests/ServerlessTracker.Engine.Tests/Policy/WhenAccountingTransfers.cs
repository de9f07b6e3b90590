using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenAccountingTransfers
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    // Every announce here is taken as it comes (min interval not enforced): these tests are about other rules.
    private readonly SwarmSettings _settings = new() { EnforceMinInterval = false };

    private async Task Announce(AnnouncePolicy policy, ISwarmStore swarms, string passkey, AnnounceCommand command) =>
        await AnnounceAsync(policy, swarms, passkey, command);

    /// <summary>As the HTTP and UDP handlers do: an announce the policy accounts to a passkey is marked accounted.</summary>
    private async Task<AnnounceResult> AnnounceAsync(AnnouncePolicy policy, ISwarmStore swarms, string passkey, AnnounceCommand command)
    {
        var decision = policy.CheckAnnounce(Encoding.ASCII.GetBytes(passkey), command);
        Assert.True(decision.IsAllowed);
        var result = new AnnounceResult(_settings.MaxNumWant);
        await swarms.AnnounceAsync(command with { Accounted = decision.Account is not null }, result, default);
        AnnouncePolicy.Account(decision, result);
        return result;
    }

    [Fact]
    public async Task AFastReannounceOfAPasskeyIsAccountedAtOnceAndARepeatIsAnsweredFromTheSwarm()
    {
        var policy = AnnouncePolicy.InMemory(_time, new PrivateModeSettings { Enabled = true });
        var swarms = new InMemorySwarmStore(_settings, _time, new Random(1));
        var key = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        var account = policy.Passkeys.Find(key)!;

        await AnnounceAsync(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 0, downloaded: 0));
        _time.Advance(TimeSpan.FromSeconds(30));
        var moved = await AnnounceAsync(policy, swarms, key, Peers.Announce(1, uploaded: 1000, downloaded: 5000));
        _time.Advance(TimeSpan.FromSeconds(30));
        var repeat = await AnnounceAsync(policy, swarms, key, Peers.Announce(1, uploaded: 1000, downloaded: 5000));

        Assert.Equal(PeerChange.Updated, moved.Change);
        Assert.Equal(PeerChange.Unchanged, repeat.Change);
        Assert.Equal((1000, 5000), (account.Uploaded, account.Downloaded));
    }

    [Fact]
    public async Task ASessionIsCountedOnceAcrossItsAnnounces()
    {
        var policy = AnnouncePolicy.InMemory(_time, new PrivateModeSettings { Enabled = true });
        var swarms = new InMemorySwarmStore(_settings, _time, new Random(1));
        var key = (await policy.Passkeys.CreateAsync(null, default)).Passkey;

        await Announce(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 0, downloaded: 0));
        await Announce(policy, swarms, key, Peers.Announce(1, uploaded: 1000, downloaded: 5000));
        await Announce(policy, swarms, key, Peers.Announce(1, uploaded: 3000, downloaded: 9000));

        var account = policy.Passkeys.Find(key)!;
        Assert.Equal(3000, account.Uploaded);
        Assert.Equal(9000, account.Downloaded);
    }

    [Fact]
    public async Task TwoTorrentsOfOneUserAddUpAndANewSessionStartsFromZero()
    {
        var policy = AnnouncePolicy.InMemory(_time, new PrivateModeSettings { Enabled = true });
        var swarms = new InMemorySwarmStore(_settings, _time, new Random(1));
        var key = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        var other = InfoHash.ParseHex("00000000000000000000000000000000000000ff");

        await Announce(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 100, downloaded: 200));
        await Announce(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 10, downloaded: 20, torrent: other));
        await Announce(policy, swarms, key, Peers.Announce(1, uploaded: 150, downloaded: 200));
        // The client restarted: its counters start again from zero, and so does the session.
        await Announce(policy, swarms, key, Peers.Announce(1, @event: PeerEvent.Started, uploaded: 5, downloaded: 0));

        var account = policy.Passkeys.Find(key)!;
        Assert.Equal(150 + 10 + 5, account.Uploaded);
        Assert.Equal(200 + 20, account.Downloaded);
    }

    [Fact]
    public async Task FiguresOfTwoInstancesSumInTheStoreAndFlushesAreIdempotent()
    {
        var store = new InMemoryPasskeyStore();
        var first = new PasskeyTable(store, _time, "one");
        var second = new PasskeyTable(store, _time, "two");
        var key = (await first.CreateAsync(null, default)).Passkey;
        await second.RefreshAsync(default);

        first.Find(key)!.Add(100, 1000);
        second.Find(key)!.Add(7, 70);
        Assert.Equal(1, await first.FlushAsync(default));
        Assert.Equal(0, await first.FlushAsync(default));
        Assert.Equal(1, await second.FlushAsync(default));
        first.Find(key)!.Add(1, 1);
        await first.FlushAsync(default);

        var stored = Assert.Single(await store.ListAsync(null, default));
        Assert.Equal(108, stored.Uploaded);
        Assert.Equal(1071, stored.Downloaded);

        await second.RefreshAsync(default);
        Assert.Equal(108, second.Find(key)!.Uploaded);
        Assert.Equal(1071, second.Find(key)!.Downloaded);
    }

    [Fact]
    public async Task AFailedFlushLosesNothing()
    {
        var store = new FlakyStore();
        var table = new PasskeyTable(store, _time, "one");
        var key = (await table.CreateAsync(null, default)).Passkey;
        table.Find(key)!.Add(500, 600);

        store.Failing = true;
        await Assert.ThrowsAsync<IOException>(async () => await table.FlushAsync(default));
        table.Find(key)!.Add(1, 1);
        store.Failing = false;
        await table.FlushAsync(default);

        var stored = Assert.Single(await store.ListAsync(null, default));
        Assert.Equal((501, 601), (stored.Uploaded, stored.Downloaded));
    }

    [Fact]
    public async Task NegativeOrAbsurdDeltasCannotCorruptTheFigures()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        var account = await policy.Passkeys.CreateAsync(null, default);
        account.Add(-5, long.MaxValue);
        account.Add(long.MaxValue, 0);
        Assert.Equal(PasskeyAccount.MaxDeltaBytes, account.Uploaded);
        Assert.Equal(PasskeyAccount.MaxDeltaBytes, account.Downloaded);
    }

    /// <summary>The in-memory store, failing on demand the way a storage outage would.</summary>
    private sealed class FlakyStore : IPasskeyStore
    {
        private readonly InMemoryPasskeyStore _inner = new();

        public bool Failing { get; set; }

        public ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken) => _inner.ListAsync(excludingOrigin, cancellationToken);

        public ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken) => _inner.CreateAsync(record, cancellationToken);

        public ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken) => _inner.RevokeAsync(passkey, at, cancellationToken);

        public ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken) => _inner.MergeAsync(record, cancellationToken);

        public ValueTask<PasskeyChanges> ReadChangesAsync(string? cursor, CancellationToken cancellationToken) => _inner.ReadChangesAsync(cursor, cancellationToken);

        public ValueTask<string?> LeaseOriginAsync(string region, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken) =>
            _inner.LeaseOriginAsync(region, holder, now, until, cancellationToken);

        public ValueTask<bool> RenewOriginAsync(string origin, string holder, DateTimeOffset until, CancellationToken cancellationToken) =>
            _inner.RenewOriginAsync(origin, holder, until, cancellationToken);

        public ValueTask ReleaseOriginAsync(string origin, string holder, CancellationToken cancellationToken) => _inner.ReleaseOriginAsync(origin, holder, cancellationToken);

        public ValueTask<UsageSnapshot?> ClaimUsageAsync(string passkey, string origin, string holder, CancellationToken cancellationToken) =>
            _inner.ClaimUsageAsync(passkey, origin, holder, cancellationToken);

        public ValueTask<int> SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, string holder, CancellationToken cancellationToken) =>
            Failing ? throw new IOException("storage down") : _inner.SaveUsageAsync(usage, holder, cancellationToken);

        public ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken) => _inner.MergeUsageAsync(usage, cancellationToken);

        public ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken) => _inner.ListUsageAsync(cancellationToken);
    }
}
