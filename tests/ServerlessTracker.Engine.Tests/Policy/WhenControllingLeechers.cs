using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Policy;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenControllingLeechers
{
    private const long GiB = 1024L * 1024 * 1024;

    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));

    private AnnouncePolicy Policy(bool enabled = true) => AnnouncePolicy.InMemory(_time, new PrivateModeSettings { Enabled = true },
        leechControl: new LeechControlSettings { Enabled = enabled, MinRatio = 0.5, GraceBytes = 2 * GiB });

    [Fact]
    public async Task ALeecherBelowTheRatioAfterTheGraceIsRefusedWithTheirFigures()
    {
        var policy = Policy();
        var account = await policy.Passkeys.CreateAsync(null, default);
        var key = Encoding.ASCII.GetBytes(account.Passkey);
        account.Add(GiB, 3 * GiB);

        var decision = policy.CheckAnnounce(key, Peers.Announce(1, left: 100));
        Assert.Equal(PolicyVerdict.RatioTooLow, decision.Verdict);
        var reason = new byte[AnnouncePolicy.MaxReasonLength];
        var text = Encoding.UTF8.GetString(reason, 0, policy.WriteReason(decision, reason));
        Assert.Equal("ratio 0.33 is below the minimum 0.50 (uploaded 1.00 GiB, downloaded 3.00 GiB): seed to raise it", text);
    }

    [Fact]
    public async Task SeedersWithinTheGraceOrAtTheRatioAreServed()
    {
        var policy = Policy();
        var account = await policy.Passkeys.CreateAsync(null, default);
        var key = Encoding.ASCII.GetBytes(account.Passkey);

        account.Add(0, GiB);
        Assert.True(policy.CheckAnnounce(key, Peers.Announce(1, left: 100)).IsAllowed);

        account.Add(0, 9 * GiB);
        Assert.True(policy.CheckAnnounce(key, Peers.Announce(1, left: 0)).IsAllowed);
        Assert.Equal(PolicyVerdict.RatioTooLow, policy.CheckAnnounce(key, Peers.Announce(1, left: 1)).Verdict);

        account.Add(5 * GiB, 0);
        Assert.True(policy.CheckAnnounce(key, Peers.Announce(1, left: 100)).IsAllowed);
    }

    [Fact]
    public async Task ItIsOffByDefault()
    {
        Assert.False(new LeechControlSettings().Enabled);
        var policy = Policy(enabled: false);
        var account = await policy.Passkeys.CreateAsync(null, default);
        account.Add(0, 100 * GiB);
        Assert.True(policy.CheckAnnounce(Encoding.ASCII.GetBytes(account.Passkey), Peers.Announce(1, left: 100)).IsAllowed);
    }

    [Theory]
    [InlineData(PolicyVerdict.PasskeyRequired, "this is a private tracker: announce with your passkey (/announce/<passkey>)")]
    [InlineData(PolicyVerdict.PasskeyUnknown, "unknown passkey")]
    [InlineData(PolicyVerdict.PasskeyRevoked, "passkey revoked")]
    [InlineData(PolicyVerdict.InfoHashDenied, "torrent not allowed on this tracker")]
    [InlineData(PolicyVerdict.AddressNotAllowed, "your address is not allowed to use this tracker")]
    public void EveryRefusalHasAReason(PolicyVerdict verdict, string expected)
    {
        var reason = new byte[AnnouncePolicy.MaxReasonLength];
        Assert.Equal(expected, Encoding.UTF8.GetString(reason, 0, Policy().WriteReason(new PolicyDecision(verdict), reason)));
    }
}
