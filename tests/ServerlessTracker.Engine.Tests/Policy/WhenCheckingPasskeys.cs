using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenCheckingPasskeys
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    private AnnouncePolicy Private() => AnnouncePolicy.InMemory(_time, new PrivateModeSettings { Enabled = true });

    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    [Fact]
    public async Task PrivateModeRefusesNoKeyABadKeyAndARevokedKey()
    {
        var policy = Private();
        var good = await policy.Passkeys.CreateAsync("alice", default);
        var revoked = await policy.Passkeys.CreateAsync("bob", default);
        await policy.Passkeys.RevokeAsync(revoked.Passkey, default);

        Assert.Equal(PolicyVerdict.PasskeyRequired, policy.CheckAnnounce([], Peers.Announce(1)).Verdict);
        Assert.Equal(PolicyVerdict.PasskeyUnknown, policy.CheckAnnounce(Bytes(Passkey.Create()), Peers.Announce(1)).Verdict);
        Assert.Equal(PolicyVerdict.PasskeyRevoked, policy.CheckAnnounce(Bytes(revoked.Passkey), Peers.Announce(1)).Verdict);
        var allowed = policy.CheckAnnounce(Bytes(good.Passkey), Peers.Announce(1));
        Assert.True(allowed.IsAllowed);
        Assert.Same(good, allowed.Account);
    }

    [Fact]
    public async Task APasskeyDiffersFromAKnownOneInItsLastCharacterIsUnknown()
    {
        var policy = Private();
        var good = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        var near = good[..^1] + (good[^1] == '0' ? '1' : '0');
        Assert.Equal(PolicyVerdict.PasskeyUnknown, policy.CheckAnnounce(Bytes(near), Peers.Announce(1)).Verdict);
        Assert.Equal(PolicyVerdict.PasskeyUnknown, policy.CheckAnnounce(Bytes(good + "0"), Peers.Announce(1)).Verdict);
        Assert.Equal(PolicyVerdict.PasskeyUnknown, policy.CheckAnnounce(new byte[Passkey.MaxLength + 1], Peers.Announce(1)).Verdict);
    }

    [Fact]
    public async Task OpenModeServesEveryoneAndAccountsOnlyKnownUnrevokedKeys()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        var good = await policy.Passkeys.CreateAsync(null, default);
        Assert.True(policy.CheckAnnounce([], Peers.Announce(1)).IsAllowed);
        Assert.Null(policy.CheckAnnounce(Bytes("nope"), Peers.Announce(1)).Account);
        Assert.Same(good, policy.CheckAnnounce(Bytes(good.Passkey), Peers.Announce(1)).Account);
        await policy.Passkeys.RevokeAsync(good.Passkey, default);
        var afterRevoke = policy.CheckAnnounce(Bytes(good.Passkey), Peers.Announce(1));
        Assert.True(afterRevoke.IsAllowed);
        Assert.Null(afterRevoke.Account);
    }

    [Fact]
    public async Task CreatedPasskeysAre32LowercaseHexDigitsAndDistinct()
    {
        var policy = Private();
        var a = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        var b = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        Assert.Matches("^[0-9a-f]{32}$", a);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public async Task ALookupAllocatesNothing()
    {
        var policy = Private();
        for (var i = 0; i < 1000; i++)
        {
            await policy.Passkeys.CreateAsync(null, default);
        }

        var key = Bytes((await policy.Passkeys.CreateAsync(null, default)).Passkey);
        var command = Peers.Announce(1);
        policy.CheckAnnounce(key, command);
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                Assert.True(policy.CheckAnnounce(key, command).IsAllowed);
            }
        }));
    }

    [Fact]
    public async Task ARevocationOnAnotherInstanceAppliesAfterARefresh()
    {
        var store = new InMemoryPasskeyStore();
        var first = new PasskeyTable(store, _time);
        var second = new PasskeyTable(store, _time);
        var key = (await first.CreateAsync("carol", default)).Passkey;
        Assert.Null(second.Find(key));

        await second.RefreshAsync(default);
        Assert.Equal("carol", second.Find(key)!.Name);

        await first.RevokeAsync(key, default);
        Assert.False(second.Find(key)!.IsRevoked);
        await second.RefreshAsync(default);
        Assert.True(second.Find(key)!.IsRevoked);
    }
}
