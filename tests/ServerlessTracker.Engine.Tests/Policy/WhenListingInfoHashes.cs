using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenListingInfoHashes
{
    private const string V1 = "0123456789abcdef0123456789abcdef01234567";
    private const string V2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    [Fact]
    public async Task ADeniedTorrentIsRefusedAndOthersAreServed()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        await policy.InfoHashes.AddAsync(InfoHashListKind.Deny, V1, InfoHash.ParseHex(V1), "takedown", default);

        Assert.Equal(PolicyVerdict.InfoHashDenied, policy.CheckAnnounce([], Peers.Announce(1, torrent: InfoHash.ParseHex(V1))).Verdict);
        Assert.True(policy.CheckAnnounce([], Peers.Announce(1)).IsAllowed);

        await policy.InfoHashes.RemoveAsync(InfoHashListKind.Deny, InfoHash.ParseHex(V1), default);
        Assert.True(policy.CheckAnnounce([], Peers.Announce(1, torrent: InfoHash.ParseHex(V1))).IsAllowed);
    }

    [Fact]
    public async Task AllowListOnlyServesListedTorrentsAndTheDenyListStillWins()
    {
        var policy = AnnouncePolicy.InMemory(_time, access: new AccessSettings { InfoHashAllowListOnly = true });
        await policy.InfoHashes.AddAsync(InfoHashListKind.Allow, V1, InfoHash.ParseHex(V1), null, default);

        Assert.True(policy.CheckAnnounce([], Peers.Announce(1, torrent: InfoHash.ParseHex(V1))).IsAllowed);
        Assert.Equal(PolicyVerdict.InfoHashNotAllowed, policy.CheckAnnounce([], Peers.Announce(1)).Verdict);
        Assert.False(policy.IsServed(Peers.Torrent));

        await policy.InfoHashes.AddAsync(InfoHashListKind.Deny, V1, InfoHash.ParseHex(V1), null, default);
        Assert.Equal(PolicyVerdict.InfoHashDenied, policy.CheckAnnounce([], Peers.Announce(1, torrent: InfoHash.ParseHex(V1))).Verdict);
    }

    [Fact]
    public async Task AV2HashIsMatchedByItsFirst20BytesAsHybridAndV2ClientsAnnounceIt()
    {
        var policy = AnnouncePolicy.InMemory(_time, access: new AccessSettings { InfoHashAllowListOnly = true });
        Assert.True(InfoHashRule.TryParseHash(V2, out var truncated));
        await policy.InfoHashes.AddAsync(InfoHashListKind.Allow, V2, truncated, null, default);

        var announced = InfoHash.FromBytes(Convert.FromHexString(V2).AsSpan()[..20]);
        Assert.True(policy.CheckAnnounce([], Peers.Announce(1, torrent: announced)).IsAllowed);
        Assert.Equal(V2, Assert.Single(policy.InfoHashes.List(InfoHashListKind.Allow)).Given);
    }

    [Theory]
    [InlineData("0123")]
    [InlineData("0123456789abcdef0123456789abcdef0123456")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789")]
    [InlineData("zz23456789abcdef0123456789abcdef01234567")]
    [InlineData("fedcba9876543210fedcba9876543210fedcba9876543210fedcba987654321")]
    public void OnlyFortyOrSixtyFourHexDigitsAreHashes(string text) => Assert.False(InfoHashRule.TryParseHash(text, out _));

    [Fact]
    public async Task AnotherInstancesChangesApplyAfterARefresh()
    {
        var store = new InMemoryInfoHashListStore();
        var first = new InfoHashList(store, _time);
        var second = new InfoHashList(store, _time);
        await first.AddAsync(InfoHashListKind.Deny, V1, InfoHash.ParseHex(V1), null, default);
        Assert.Equal(PolicyVerdict.Allowed, second.Check(InfoHash.ParseHex(V1), false));

        await second.RefreshAsync(default);
        Assert.Equal(PolicyVerdict.InfoHashDenied, second.Check(InfoHash.ParseHex(V1), false));

        await first.RemoveAsync(InfoHashListKind.Deny, InfoHash.ParseHex(V1), default);
        await second.RefreshAsync(default);
        Assert.Equal(PolicyVerdict.Allowed, second.Check(InfoHash.ParseHex(V1), false));
    }
}
