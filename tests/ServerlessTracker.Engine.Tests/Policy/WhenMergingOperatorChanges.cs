using System.Net;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Engine.Tests.Policy;

/// <summary>Operator data merged from other regions (cross-region sync): every order and every replay ends in the same state.</summary>
public class WhenMergingOperatorChanges
{
    private const string V1 = "0123456789abcdef0123456789abcdef01234567";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    [Fact]
    public async Task FiguresKeepTheNewestSnapshotPerOriginInAnyOrderAndAddUpAcrossOrigins()
    {
        var key = Passkey.Create();
        UsageSnapshot[] snapshots =
        [
            new(key, "north-a", 100, 10, 1), new(key, "north-a", 300, 30, 2), new(key, "north-a", 350, 35, 3),
            new(key, "south-b", 5, 5, 1), new(key, "south-b", 7, 9, 2),
        ];

        foreach (var seed in Enumerable.Range(0, 20))
        {
            var store = new InMemoryPasskeyStore();
            var random = new Random(seed);
            // Figures arrive before the passkey they belong to, shuffled and duplicated.
            foreach (var snapshot in snapshots.Concat(snapshots).OrderBy(_ => random.Next()))
            {
                await store.MergeUsageAsync([snapshot], default);
            }

            await store.MergeAsync(new PasskeyRecord(key, "alice", _time.GetUtcNow(), null, 0, 0), default);
            var record = Assert.Single(await store.ListAsync(null, default));
            Assert.Equal((357, 44), (record.Uploaded, record.Downloaded));
            Assert.Equal(2, (await store.ListUsageAsync(default)).Count);
        }
    }

    [Fact]
    public void PasskeyCopiesMergeToTheEarliestCreationAndRevocationWhateverTheOrder()
    {
        var created = _time.GetUtcNow();
        var made = new PasskeyRecord("k", "alice", created, null, 0, 0);
        var revokedLate = new PasskeyRecord("k", null, created.AddHours(2), created.AddHours(2), 0, 0);
        var revokedEarly = new PasskeyRecord("k", null, created.AddHours(1), created.AddHours(1), 0, 0);
        var expected = made with { RevokedAt = created.AddHours(1) };

        Assert.Equal(expected, made.Merge(revokedLate).Merge(revokedEarly));
        Assert.Equal(expected, revokedEarly.Merge(made).Merge(revokedLate));
        Assert.Equal(expected, revokedLate.Merge(revokedEarly).Merge(made).Merge(made));
    }

    [Fact]
    public async Task APasskeyLearnedFromAnotherRegionIsServedAndItsRevocationIsNotUndoneByAnOlderRead()
    {
        var store = new InMemoryPasskeyStore();
        var table = new PasskeyTable(store, _time, "east-one");
        var record = new PasskeyRecord(Passkey.Create(), "bob", _time.GetUtcNow(), null, 0, 0);
        await store.MergeAsync(record, default);
        Assert.False(table.Learn(record)!.IsRevoked);
        Assert.NotNull(table.Find(record.Passkey));

        // The revocation arrives; a refresh that read the store just before it must not bring the passkey back.
        var revoked = record with { RevokedAt = _time.GetUtcNow() };
        Assert.True(table.Learn(revoked)!.IsRevoked);
        await table.RefreshAsync(default);
        Assert.True(table.Find(record.Passkey)!.IsRevoked);
        Assert.Null(table.Learn(record with { Passkey = "not a passkey" }));
    }

    [Fact]
    public async Task AFlushWritesSnapshotsOfGrowingVersionsUnderTheInstancesOrigin()
    {
        var store = new InMemoryPasskeyStore();
        var table = new PasskeyTable(store, _time, "east-one");
        var key = (await table.CreateAsync(null, default)).Passkey;
        table.Find(key)!.Add(10, 20);
        await table.FlushAsync(default);
        table.Find(key)!.Add(1, 1);
        await table.FlushAsync(default);

        var stored = Assert.Single(await store.ListUsageAsync(default));
        Assert.Equal(("east-one", 11L, 21L), (stored.Origin, stored.Uploaded, stored.Downloaded));
        // An older snapshot of the same origin, replayed, changes nothing.
        Assert.Equal(0, await store.MergeUsageAsync([stored with { Uploaded = 10, Downloaded = 20, Version = stored.Version - 1 }], default));
        Assert.Equal(stored, Assert.Single(await store.ListUsageAsync(default)));
    }

    [Fact]
    public void OriginsNameTheirRegion()
    {
        var origin = UsageOrigin.Create("west-europe-2");
        Assert.True(UsageOrigin.IsWellFormed(origin));
        Assert.Equal("west-europe-2", UsageOrigin.RegionOf(origin));
        Assert.Null(UsageOrigin.RegionOf("one"));
        Assert.False(UsageOrigin.IsWellFormed("north/../x"));
        Assert.False(UsageOrigin.IsWellFormed(new string('a', 101)));
    }

    [Fact]
    public async Task AListEntryRemovedElsewhereStaysRemovedWhenItsOlderAddArrivesLater()
    {
        var store = new InMemoryInfoHashListStore();
        var list = new InfoHashList(store, _time);
        var hash = InfoHash.ParseHex(V1);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var added = new InfoHashRule(hash, InfoHashListKind.Deny, V1, null, _time.GetUtcNow(), now);
        var removed = added with { Version = now + 1000, Removed = true };

        // As the applier does: into the store, then into memory; in both orders, with replays.
        foreach (var rule in new[] { removed, added, added, removed })
        {
            await store.PutAsync(rule, default);
            list.Apply(rule);
        }

        Assert.Equal(PolicyVerdict.Allowed, list.Check(hash, false));
        await list.RefreshAsync(default);
        Assert.Equal(PolicyVerdict.Allowed, list.Check(hash, false));
        Assert.True(Assert.Single(await store.ListAsync(default)).Removed);
    }

    [Fact]
    public async Task ALocalChangeAfterARemoteOneWinsEvenWhenTheRemoteClockIsAhead()
    {
        var store = new InMemoryInfoHashListStore();
        var list = new InfoHashList(store, _time);
        var hash = InfoHash.ParseHex(V1);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Another region, its clock an hour ahead, removed the entry.
        var remote = new InfoHashRule(hash, InfoHashListKind.Deny, V1, null, _time.GetUtcNow(), now + 3_600_000, Removed: true);
        await store.PutAsync(remote, default);

        var added = await list.AddAsync(InfoHashListKind.Deny, V1, hash, "again", default);

        Assert.True(added.Version > remote.Version);
        Assert.Equal(PolicyVerdict.InfoHashDenied, list.Check(hash, false));
        Assert.False(Assert.Single(await store.ListAsync(default)).Removed);
    }

    [Fact]
    public async Task RemovalsAreForgottenAfterTheirRetention()
    {
        var store = new InMemoryInfoHashListStore();
        var list = new InfoHashList(store, _time);
        var hash = InfoHash.ParseHex(V1);
        await list.AddAsync(InfoHashListKind.Allow, V1, hash, null, default);
        Assert.True(await list.RemoveAsync(InfoHashListKind.Allow, hash, default));
        await list.RefreshAsync(default);
        Assert.Single(await store.ListAsync(default));

        _time.Advance(ChangeVersion.TombstoneRetention + TimeSpan.FromMinutes(1));
        await list.RefreshAsync(default);
        Assert.Empty(await store.ListAsync(default));
        Assert.False(await list.RemoveAsync(InfoHashListKind.Allow, hash, default));
    }

    [Fact]
    public async Task IpEntriesTakeTheLatestChangeAndTheLatestUseFromAnyRegion()
    {
        var access = new AccessSettings { IpAllowListEnabled = true, IpAllowListExpirySeconds = 3600 };
        var store = new InMemoryIpAllowListStore();
        var list = new IpAllowList(store, _time);
        var added = _time.GetUtcNow();
        var first = new IpAllowRecord("198.51.100.0/24", "first", added, added, 10);
        var renamed = first with { Note = "renamed", Version = 20 };

        foreach (var record in new[] { renamed, first, renamed })
        {
            await store.PutAsync(record, default);
            list.Apply(record);
        }

        Assert.Equal("renamed", Assert.Single(list.List()).Note);

        // Used in another region 50 minutes later: here it does not expire an hour after its addition.
        _time.Advance(TimeSpan.FromMinutes(50));
        list.ApplyUse("198.51.100.0/24", _time.GetUtcNow());
        await store.TouchAsync([("198.51.100.0/24", _time.GetUtcNow())], default);
        list.ApplyUse("198.51.100.0/24", added);
        _time.Advance(TimeSpan.FromMinutes(30));
        Assert.NotNull(list.Find(PeerAddress.FromIPAddress(IPAddress.Parse("198.51.100.7")), UnixTime.Now(_time), access.IpAllowListExpirySeconds));
        Assert.Empty(await list.RetireExpiredAsync(access.IpAllowListExpirySeconds, default));

        // Unused everywhere past the expiry: each region retires it by itself; a stale copy of it cannot be used.
        _time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(["198.51.100.0/24"], await list.RetireExpiredAsync(access.IpAllowListExpirySeconds, default));
        Assert.Empty(await store.ListAsync(default));
        list.Apply(renamed);
        Assert.Null(list.Find(PeerAddress.FromIPAddress(IPAddress.Parse("198.51.100.7")), UnixTime.Now(_time), access.IpAllowListExpirySeconds));
    }

    [Fact]
    public async Task AnIdleEntryRenewedMeanwhileIsNotRetired()
    {
        var store = new InMemoryIpAllowListStore();
        var list = new IpAllowList(store, _time);
        await list.AddAsync("203.0.113.9", null, default);
        _time.Advance(TimeSpan.FromHours(2));

        // Another instance renewed it in the store; this one has not refreshed yet.
        var renewed = Assert.Single(await store.ListAsync(default)) with { LastUsedAt = _time.GetUtcNow(), Version = long.MaxValue / 2 };
        await store.PutAsync(renewed, default);

        Assert.Empty(await list.RetireExpiredAsync(3600, default));
        Assert.Single(await store.ListAsync(default));
    }
}
