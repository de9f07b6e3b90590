using System.Net;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenAllowingAddresses
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private readonly AccessSettings _access = new() { IpAllowListEnabled = true, IpAllowListExpirySeconds = 3600 };

    private static PeerAddress At(string address) => PeerAddress.FromIPAddress(IPAddress.Parse(address));

    private AnnouncePolicy Policy(IIpAllowListStore? store = null) =>
        new(new PrivateModeSettings(), _access, new LeechControlSettings(),
            new ServerlessTracker.Engine.Policy.Passkeys.PasskeyTable(new ServerlessTracker.Engine.Policy.Passkeys.InMemoryPasskeyStore(), _time),
            new InfoHashList(new InMemoryInfoHashListStore(), _time),
            new IpAllowList(store ?? new InMemoryIpAllowListStore(), _time), _time,
            new ClientList(new InMemoryClientListStore(), _time),
            new ServerlessTracker.Engine.Policy.Factors.TorrentFactors(new ServerlessTracker.Engine.Policy.Factors.InMemoryTorrentFactorStore(), _time));

    private static PolicyVerdict From(AnnouncePolicy policy, string address) =>
        policy.CheckAnnounce([], Peers.Announce(1, address: At(address))).Verdict;

    [Fact]
    public async Task AddressesAndRangesOfBothFamiliesAreMatched()
    {
        var policy = Policy();
        await policy.IpAllowList.AddAsync("198.51.100.0/24", "office", default);
        await policy.IpAllowList.AddAsync("203.0.113.9", null, default);
        await policy.IpAllowList.AddAsync("2001:db8:1::/48", null, default);

        Assert.Equal(PolicyVerdict.Allowed, From(policy, "198.51.100.77"));
        Assert.Equal(PolicyVerdict.Allowed, From(policy, "203.0.113.9"));
        Assert.Equal(PolicyVerdict.Allowed, From(policy, "2001:db8:1:ffff::5"));
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "198.51.101.1"));
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "203.0.113.10"));
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "2001:db8:2::1"));
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "::ffff:198.51.101.1"));
    }

    [Theory]
    [InlineData("198.51.100.7/24", "198.51.100.0/24")]
    [InlineData(" 10.1.2.3 ", "10.1.2.3")]
    [InlineData("2001:DB8::1/32", "2001:db8::/32")]
    [InlineData("::ffff:10.0.0.0/104", "10.0.0.0/8")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void EntriesAreWrittenCanonically(string text, string canonical)
    {
        Assert.True(IpRange.TryParse(text, out _, out var written));
        Assert.Equal(canonical, written);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/33")]
    [InlineData("2001:db8::/129")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("example.com")]
    [InlineData("10.0.0.0/8/8")]
    public void AnythingElseIsRefused(string text) => Assert.False(IpRange.TryParse(text, out _, out _));

    [Fact]
    public async Task AnEntryUnusedForTheExpiryTimeIsRetiredAndUseKeepsItAlive()
    {
        var store = new InMemoryIpAllowListStore();
        var policy = Policy(store);
        await policy.IpAllowList.AddAsync("198.51.100.0/24", null, default);
        await policy.IpAllowList.AddAsync("203.0.113.9", null, default);

        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(PolicyVerdict.Allowed, From(policy, "198.51.100.1"));
        _time.Advance(TimeSpan.FromMinutes(50));

        // 100 minutes since 203.0.113.9 was added and never used: expired at once, and retired by maintenance.
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "203.0.113.9"));
        Assert.Equal(PolicyVerdict.Allowed, From(policy, "198.51.100.2"));
        var report = await policy.MaintainAsync(default);
        Assert.Equal(["203.0.113.9"], report.IpEntriesRetired);
        Assert.Equal("198.51.100.0/24", Assert.Single(await store.ListAsync(default)).Entry);

        _time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "198.51.100.2"));
        await policy.MaintainAsync(default);
        Assert.Empty(await store.ListAsync(default));
        Assert.Equal(0, policy.IpAllowList.Count);
    }

    [Fact]
    public async Task UseSeenByAnotherInstanceKeepsAnEntryAlive()
    {
        var store = new InMemoryIpAllowListStore();
        var first = Policy(store);
        var second = Policy(store);
        await first.IpAllowList.AddAsync("198.51.100.0/24", null, default);
        await second.MaintainAsync(default);

        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.Equal(PolicyVerdict.Allowed, From(second, "198.51.100.1"));
        await second.MaintainAsync(default);

        _time.Advance(TimeSpan.FromMinutes(50));
        var report = await first.MaintainAsync(default);
        Assert.Empty(report.IpEntriesRetired);
        Assert.Equal(PolicyVerdict.Allowed, From(first, "198.51.100.3"));
    }

    [Fact]
    public async Task ExpiryZeroKeepsEntriesForever()
    {
        _access.IpAllowListExpirySeconds = 0;
        var policy = Policy();
        await policy.IpAllowList.AddAsync("198.51.100.0/24", null, default);
        _time.Advance(TimeSpan.FromDays(3650));
        Assert.Equal(PolicyVerdict.Allowed, From(policy, "198.51.100.1"));
        Assert.Empty((await policy.MaintainAsync(default)).IpEntriesRetired);
    }

    [Fact]
    public async Task RemovingAnEntryRefusesItsAddressesAtOnce()
    {
        var policy = Policy();
        await policy.IpAllowList.AddAsync("198.51.100.0/24", null, default);
        Assert.True(await policy.IpAllowList.RemoveAsync("198.51.100.9/24", default));
        Assert.Equal(PolicyVerdict.AddressNotAllowed, From(policy, "198.51.100.1"));
    }

    [Fact]
    public async Task ALookupAllocatesNothing()
    {
        var policy = Policy();
        await policy.IpAllowList.AddAsync("198.51.100.0/24", null, default);
        await policy.IpAllowList.AddAsync("2001:db8::/32", null, default);
        var command = Peers.Announce(1, address: At("2001:db8::1"));
        policy.CheckAnnounce([], command);
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(policy.CheckAnnounce([], command).IsAllowed);
            }
        }));
    }
}
