using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Storage.Operator;

namespace ServerlessTracker.Storage.Tests.Operator;

/// <summary>Passkeys, their figures and the access lists in real Table Storage (Azurite), shared by two instances.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenKeepingOperatorDataInTables(AzuriteFixture azurite)
{
    private readonly FakeTimeProvider _time = Tables.Clock();

    private (TableServiceClient Service, OperatorTablesOptions Options) NewTables()
    {
        var suffix = Guid.NewGuid().ToString("N")[..12];
        return (new TableServiceClient(azurite.Server.ConnectionString), new OperatorTablesOptions { PasskeysTable = "passkeys" + suffix, AccessListsTable = "lists" + suffix });
    }

    [Fact]
    public async Task PasskeysRoundTripAndRevocationsReachAnotherInstance()
    {
        var (service, options) = NewTables();
        var first = new PasskeyTable(new TablePasskeyStore(service, options), _time, "one");
        var second = new PasskeyTable(new TablePasskeyStore(service, options), _time, "two");
        var alice = await first.CreateAsync("alice", default);
        await second.RefreshAsync(default);
        var seen = second.Find(alice.Passkey)!;
        Assert.Equal("alice", seen.Name);
        Assert.Equal(alice.CreatedAt, seen.CreatedAt);
        Assert.False(seen.IsRevoked);

        await first.RevokeAsync(alice.Passkey, default);
        await second.RefreshAsync(default);
        Assert.True(second.Find(alice.Passkey)!.IsRevoked);

        var store = new TablePasskeyStore(service, options);
        Assert.False(await store.CreateAsync(new PasskeyRecord(alice.Passkey, "again", _time.GetUtcNow(), null, 0, 0), default));
        Assert.False(await store.RevokeAsync("0123456789abcdef0123456789abcdef", _time.GetUtcNow(), default));
    }

    [Fact]
    public async Task FiguresOfTwoInstancesAddUpAndRewritingThemCountsNothingTwice()
    {
        var (service, options) = NewTables();
        var first = new PasskeyTable(new TablePasskeyStore(service, options), _time, "one");
        var second = new PasskeyTable(new TablePasskeyStore(service, options), _time, "two");
        var key = (await first.CreateAsync(null, default)).Passkey;
        await second.RefreshAsync(default);

        first.Find(key)!.Add(1000, 5000);
        second.Find(key)!.Add(300, 700);
        await first.FlushAsync(default);
        await second.FlushAsync(default);
        first.Find(key)!.Add(1, 1);
        await first.FlushAsync(default);
        // Anyone but the row's holder (another process that did not take the row over) is refused, and counts nothing.
        Assert.Equal(0, await new TablePasskeyStore(service, options).SaveUsageAsync([new UsageSnapshot(key, "one", 1001, 5001, 1)], "someone else", default));

        var stored = Assert.Single(await new TablePasskeyStore(service, options).ListAsync(null, default));
        Assert.Equal((1301, 5701), (stored.Uploaded, stored.Downloaded));

        await first.RefreshAsync(default);
        await second.RefreshAsync(default);
        Assert.Equal((1301, 5701), (first.Find(key)!.Uploaded, first.Find(key)!.Downloaded));
        Assert.Equal((1301, 5701), (second.Find(key)!.Uploaded, second.Find(key)!.Downloaded));
    }

    [Fact]
    public async Task InfoHashListsRoundTripWithTheHashAsGiven()
    {
        var (service, options) = NewTables();
        var policy = Policy(service, options, new AccessSettings { InfoHashAllowListOnly = true });
        var v2 = new string('c', 64);
        Assert.True(InfoHashRule.TryParseHash(v2, out var truncated));
        await policy.InfoHashes.AddAsync(InfoHashListKind.Allow, v2, truncated, "hybrid", default);
        await policy.InfoHashes.AddAsync(InfoHashListKind.Deny, new string('d', 40), InfoHash.ParseHex(new string('d', 40)), null, default);

        var other = Policy(service, options, new AccessSettings { InfoHashAllowListOnly = true });
        await other.InitializeAsync(default);
        Assert.True(other.IsServed(truncated));
        Assert.False(other.IsServed(InfoHash.ParseHex(new string('d', 40))));
        var rule = Assert.Single(other.InfoHashes.List(InfoHashListKind.Allow));
        Assert.Equal((v2, "hybrid"), (rule.Given, rule.Note));

        Assert.True(await policy.InfoHashes.RemoveAsync(InfoHashListKind.Allow, truncated, default));
        Assert.False(await policy.InfoHashes.RemoveAsync(InfoHashListKind.Allow, truncated, default));
        await other.MaintainAsync(default);
        Assert.False(other.IsServed(truncated));
    }

    [Fact]
    public async Task ClientRulesRoundTripWithAnyPrintablePrefix()
    {
        var (service, options) = NewTables();
        var policy = Policy(service, options, new AccessSettings());
        await policy.Clients.AddAsync(ClientListKind.Deny, "-XL0012-", "leaks", default);
        await policy.Clients.AddAsync(ClientListKind.Deny, "a/b\\c#?%", null, default);
        await policy.Clients.AddAsync(ClientListKind.Allow, "-qB", null, default);

        var other = Policy(service, options, new AccessSettings());
        await other.InitializeAsync(default);
        Assert.Equal(["-XL0012-", "a/b\\c#?%"], other.Clients.List(ClientListKind.Deny).Select(r => r.Prefix).Order(StringComparer.Ordinal));
        Assert.Equal("leaks", other.Clients.List(ClientListKind.Deny).Single(r => r.Prefix == "-XL0012-").Note);
        Assert.Equal(PolicyVerdict.ClientDenied, other.CheckAnnounce([], Command("198.51.100.1", "a/b\\c#?%")).Verdict);
        Assert.Equal(PolicyVerdict.ClientNotAllowed, other.CheckAnnounce([], Command("198.51.100.1", "-TR4050-")).Verdict);
        Assert.True(other.CheckAnnounce([], Command("198.51.100.1", "-qB4650-")).IsAllowed);

        Assert.True(await policy.Clients.RemoveAsync(ClientListKind.Allow, "-qB", default));
        Assert.False(await policy.Clients.RemoveAsync(ClientListKind.Allow, "-qB", default));
        await other.MaintainAsync(default);
        Assert.True(other.CheckAnnounce([], Command("198.51.100.1", "-TR4050-")).IsAllowed);

        // The removal stays as a tombstone until its retention has passed, then a refresh forgets it.
        var store = new TableClientListStore(service, options);
        Assert.True((await store.ListAsync(default)).Single(r => r.Prefix == "-qB").Removed);
        _time.Advance(ChangeVersion.TombstoneRetention + TimeSpan.FromMinutes(1));
        await other.MaintainAsync(default);
        Assert.DoesNotContain(await store.ListAsync(default), r => r.Prefix == "-qB");
    }

    [Fact]
    public async Task TorrentFactorsRoundTripWithTheirWindowAndRemovalsAreTombstoned()
    {
        var (service, options) = NewTables();
        var policy = Policy(service, options, new AccessSettings());
        var freeleech = InfoHash.ParseHex(new string('a', 40));
        var doubled = InfoHash.ParseHex(new string('c', 40));
        var from = _time.GetUtcNow().AddDays(1);
        await policy.Factors.SetAsync(new TorrentFactor(freeleech, new string('a', 64), null, 0, "weekend", default, from, from.AddDays(2)), default);
        await policy.Factors.SetAsync(new TorrentFactor(doubled, new string('c', 40), 200, 50, null, default), default);

        var other = Policy(service, options, new AccessSettings());
        await other.InitializeAsync(default);
        var read = other.Factors.List().Single(f => f.Hash == freeleech);
        Assert.Equal((null, 0, "weekend", from, from.AddDays(2), new string('a', 64)), (read.UploadPercent, read.DownloadPercent, read.Note, read.From, read.Until, read.Given));
        Assert.Equal(new TransferFactors(200, 50), other.Factors.Resolve(doubled, default));
        Assert.Equal(default, other.Factors.Resolve(freeleech, default));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(new TransferFactors(100, 0), other.Factors.Resolve(freeleech, default));

        // Setting again replaces the whole row: a factor and a bound left out are gone.
        await policy.Factors.SetAsync(new TorrentFactor(freeleech, new string('a', 40), 150, null, null, default), default);
        await other.MaintainAsync(default);
        var replaced = other.Factors.List().Single(f => f.Hash == freeleech);
        Assert.Equal((150, (int?)null, (DateTimeOffset?)null, (DateTimeOffset?)null), (replaced.UploadPercent, replaced.DownloadPercent, replaced.From, replaced.Until));

        Assert.True(await policy.Factors.RemoveAsync(doubled, default));
        Assert.False(await policy.Factors.RemoveAsync(doubled, default));
        await other.MaintainAsync(default);
        Assert.Equal(default, other.Factors.Resolve(doubled, default));

        var store = new TableTorrentFactorStore(service, options);
        Assert.True((await store.ListAsync(default)).Single(f => f.Hash == doubled).Removed);
        _time.Advance(ChangeVersion.TombstoneRetention + TimeSpan.FromMinutes(1));
        await other.MaintainAsync(default);
        Assert.DoesNotContain(await store.ListAsync(default), f => f.Hash == doubled);
    }

    [Fact]
    public async Task IpEntriesKeepTheLatestUseAndExpireAcrossInstances()
    {
        var (service, options) = NewTables();
        var access = new AccessSettings { IpAllowListEnabled = true, IpAllowListExpirySeconds = 3600 };
        var first = Policy(service, options, access);
        var second = Policy(service, options, access);
        await first.IpAllowList.AddAsync("198.51.100.0/24", "office", default);
        await first.IpAllowList.AddAsync("2001:db8::/32", null, default);
        await second.InitializeAsync(default);

        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.True(second.CheckAnnounce([], Command("198.51.100.9")).IsAllowed);
        await second.MaintainAsync(default);
        // An older use reported later never moves the time back.
        await new TableIpAllowListStore(service, options).TouchAsync([("198.51.100.0/24", _time.GetUtcNow().AddMinutes(-40))], default);

        _time.Advance(TimeSpan.FromMinutes(50));
        var report = await first.MaintainAsync(default);
        Assert.Equal(["2001:db8::/32"], report.IpEntriesRetired);
        var left = Assert.Single(await new TableIpAllowListStore(service, options).ListAsync(default));
        Assert.Equal(("198.51.100.0/24", "office"), (left.Entry, left.Note));
        Assert.Equal(_time.GetUtcNow().AddMinutes(-50), left.LastUsedAt);
        Assert.True(first.CheckAnnounce([], Command("198.51.100.200")).IsAllowed);
    }

    private AnnouncePolicy Policy(TableServiceClient service, OperatorTablesOptions options, AccessSettings access) =>
        new(new PrivateModeSettings(), access, new LeechControlSettings(),
            new PasskeyTable(new TablePasskeyStore(service, options), _time),
            new InfoHashList(new TableInfoHashListStore(service, options), _time),
            new IpAllowList(new TableIpAllowListStore(service, options), _time), _time,
            new ClientList(new TableClientListStore(service, options), _time),
            new TorrentFactors(new TableTorrentFactorStore(service, options), _time));

    private static AnnounceCommand Command(string address, string client = "") => new(
        InfoHash.ParseHex(new string('a', 40)), Engine.Peers.PeerId.FromBytes(System.Text.Encoding.ASCII.GetBytes(client.PadRight(20, '0'))),
        Engine.Peers.PeerAddress.FromIPAddress(System.Net.IPAddress.Parse(address)), 6881, PeerEvent.None, 0, 0, 1, -1, 0, false, AddressFamilies.Both);
}
