using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Storage.Operator;

namespace ServerlessTracker.Storage.Tests.Operator;

/// <summary>Operator data from other regions (cross-region sync) merged into real Table Storage (Azurite): idempotent, in any order.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenMergingOperatorDataInTables(AzuriteFixture azurite)
{
    private readonly FakeTimeProvider _time = Tables.Clock();

    private (TableServiceClient Service, OperatorTablesOptions Options) NewTables()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        return (new TableServiceClient(azurite.Server.ConnectionString), new OperatorTablesOptions { PasskeysTable = "passkeys" + suffix, AccessListsTable = "lists" + suffix });
    }

    [Fact]
    public async Task FiguresKeepTheNewestSnapshotPerOriginAndAddUpWithLocalOnes()
    {
        var (service, options) = NewTables();
        var store = new TablePasskeyStore(service, options);
        var key = Passkey.Create();
        var north = UsageOrigin.Create("north");

        // Before the passkey is known here, newest first, then older ones and replays.
        Assert.Equal(1, await store.MergeUsageAsync([new(key, north, 350, 35, 3)], default));
        Assert.Empty(await store.ListAsync(null, default));
        Assert.True(await store.MergeAsync(new PasskeyRecord(key, "alice", _time.GetUtcNow(), null, 0, 0), default));
        Assert.Equal(0, await store.MergeUsageAsync([new(key, north, 100, 10, 1), new(key, north, 300, 30, 2), new(key, north, 350, 35, 3)], default));
        Assert.Equal(1, await store.MergeUsageAsync([new(key, north, 400, 40, 4)], default));
        Assert.Equal(1, await store.SaveUsageAsync([new(key, "east-local", 7, 3, 1)], "east-process", default));

        var record = Assert.Single(await store.ListAsync(null, default));
        Assert.Equal((407, 43, "alice"), (record.Uploaded, record.Downloaded, record.Name));
        Assert.Equal((400, 40), Figures(Assert.Single(await store.ListAsync("east-local", default))));
        Assert.Equal([("east-local", 1L), (north, 4L)], (await store.ListUsageAsync(default)).Select(u => (u.Origin, u.Version)).Order());
    }

    [Fact]
    public async Task APasskeyMergedFromCopiesKeepsItsNameAndEarliestRevocation()
    {
        var (service, options) = NewTables();
        var store = new TablePasskeyStore(service, options);
        var key = Passkey.Create();
        var created = _time.GetUtcNow();

        // The revocation first, without a name (as a revoking region sends it), then the creation, then a later revocation.
        Assert.True(await store.MergeAsync(new PasskeyRecord(key, null, created.AddHours(1), created.AddHours(1), 0, 0), default));
        Assert.True(await store.MergeAsync(new PasskeyRecord(key, "bob", created, null, 0, 0), default));
        Assert.False(await store.MergeAsync(new PasskeyRecord(key, null, created.AddHours(2), created.AddHours(2), 0, 0), default));
        Assert.False(await store.MergeAsync(new PasskeyRecord(key, "bob", created, null, 0, 0), default));

        var record = Assert.Single(await store.ListAsync(null, default));
        Assert.Equal(("bob", created, created.AddHours(1)), (record.Name, record.CreatedAt, record.RevokedAt));
        Assert.False(await store.CreateAsync(record, default));
    }

    [Fact]
    public async Task ListChangesWinByVersionAndRemovalsStayUntilForgotten()
    {
        var (service, options) = NewTables();
        var store = new TableInfoHashListStore(service, options);
        var hash = InfoHash.ParseHex(new string('e', 40));
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var added = new InfoHashRule(hash, InfoHashListKind.Deny, new string('e', 40), "takedown", _time.GetUtcNow(), now);
        var removed = added with { Version = now + 1, Removed = true };

        Assert.True(await store.PutAsync(removed, default));
        Assert.False(await store.PutAsync(added, default));
        Assert.False(await store.PutAsync(removed, default));
        Assert.Equal(removed, Assert.Single(await store.ListAsync(default)));

        Assert.False(await store.DeleteAsync(hash, InfoHashListKind.Deny, now, default));
        Assert.True(await store.DeleteAsync(hash, InfoHashListKind.Deny, now + 1, default));
        Assert.Empty(await store.ListAsync(default));
    }

    [Fact]
    public async Task IpEntriesTakeTheLaterChangeAndTheLaterUseAndAreRetiredOnlyIfUnchanged()
    {
        var (service, options) = NewTables();
        var store = new TableIpAllowListStore(service, options);
        var at = _time.GetUtcNow();
        var first = new IpAllowRecord("198.51.100.0/24", "first", at, at, 10);
        var renamed = first with { Note = "renamed", Version = 20 };

        Assert.True(await store.PutAsync(renamed, default));
        Assert.False(await store.PutAsync(first with { LastUsedAt = at.AddMinutes(5) }, default));
        var stored = Assert.Single(await store.ListAsync(default));
        Assert.Equal(("renamed", 20L, at.AddMinutes(5)), (stored.Note, stored.Version, stored.LastUsedAt));

        Assert.False(await store.DeleteAsync("198.51.100.0/24", 20, at, default));
        Assert.False(await store.DeleteAsync("198.51.100.0/24", 10, at.AddMinutes(5), default));
        Assert.True(await store.DeleteAsync("198.51.100.0/24", 20, at.AddMinutes(5), default));
        Assert.Empty(await store.ListAsync(default));
    }

    private static (long, long) Figures(PasskeyRecord record) => (record.Uploaded, record.Downloaded);
}
