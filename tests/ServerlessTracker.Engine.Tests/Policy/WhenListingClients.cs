using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenListingClients
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T12:00:00Z"));

    internal static PeerId Client(string prefix)
    {
        var bytes = "-??0000-abcdefghijkl"u8.ToArray();
        Encoding.ASCII.GetBytes(prefix).CopyTo(bytes, 0);
        return PeerId.FromBytes(bytes);
    }

    private static AnnounceCommand From(string prefix) => Peers.Announce(1) with { PeerId = Client(prefix) };

    [Fact]
    public async Task ADeniedClientIsRefusedByItsRuleAndOthersAreServed()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        await policy.Clients.AddAsync(ClientListKind.Deny, "-XL0012-", "leaks", default);

        var decision = policy.CheckAnnounce([], From("-XL0012-"));
        Assert.Equal(PolicyVerdict.ClientDenied, decision.Verdict);
        Assert.Equal("-XL0012-", decision.ClientRule!.Prefix);
        Assert.Equal("client not allowed: -XL0012-", Reason(policy, decision));
        Assert.True(policy.CheckAnnounce([], From("-XL0013-")).IsAllowed);
        Assert.True(policy.CheckAnnounce([], From("-qB4650-")).IsAllowed);

        Assert.True(await policy.Clients.RemoveAsync(ClientListKind.Deny, "-XL0012-", default));
        Assert.True(policy.CheckAnnounce([], From("-XL0012-")).IsAllowed);
        Assert.False(await policy.Clients.RemoveAsync(ClientListKind.Deny, "-XL0012-", default));
    }

    [Fact]
    public async Task OnceAnyAllowRuleExistsOnlyMatchingClientsPassAndDenyRulesStillWin()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        await policy.Clients.AddAsync(ClientListKind.Allow, "-qB4", null, default);
        await policy.Clients.AddAsync(ClientListKind.Allow, "M4-3-", null, default);

        var allowed = policy.CheckAnnounce([], From("-qB4650-"));
        Assert.True(allowed.IsAllowed);
        Assert.Equal("-qB4", allowed.ClientRule!.Prefix);
        Assert.True(policy.CheckAnnounce([], From("M4-3-6--")).IsAllowed);
        var other = policy.CheckAnnounce([], From("-TR4050-"));
        Assert.Equal(PolicyVerdict.ClientNotAllowed, other.Verdict);
        Assert.Null(other.ClientRule);
        Assert.StartsWith("client not allowed", Reason(policy, other), StringComparison.Ordinal);

        // A broken release of an allowed client: the deny rule wins.
        await policy.Clients.AddAsync(ClientListKind.Deny, "-qB4500-", null, default);
        Assert.Equal(PolicyVerdict.ClientDenied, policy.CheckAnnounce([], From("-qB4500-")).Verdict);
        Assert.True(policy.CheckAnnounce([], From("-qB4501-")).IsAllowed);

        // Without allow rules, everyone not denied is served again.
        await policy.Clients.RemoveAsync(ClientListKind.Allow, "-qB4", default);
        await policy.Clients.RemoveAsync(ClientListKind.Allow, "M4-3-", default);
        Assert.True(policy.CheckAnnounce([], From("-TR4050-")).IsAllowed);
    }

    [Fact]
    public async Task TheLongestMatchingRuleIsTheOneNamedAndCaseMatters()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        await policy.Clients.AddAsync(ClientListKind.Deny, "-", null, default);
        await policy.Clients.AddAsync(ClientListKind.Deny, "-XL", null, default);
        await policy.Clients.AddAsync(ClientListKind.Deny, "-XL0012-", null, default);
        await policy.Clients.AddAsync(ClientListKind.Deny, "T03I", null, default);

        Assert.Equal("-XL0012-", policy.CheckAnnounce([], From("-XL0012-")).ClientRule!.Prefix);
        Assert.Equal("-XL", policy.CheckAnnounce([], From("-XL0019-")).ClientRule!.Prefix);
        Assert.Equal("-", policy.CheckAnnounce([], From("-xl0012-")).ClientRule!.Prefix);
        Assert.Equal("T03I", policy.CheckAnnounce([], From("T03I--00")).ClientRule!.Prefix);
        Assert.True(policy.CheckAnnounce([], From("t03I--00")).IsAllowed);

        // A whole 20-byte peer id is a prefix too.
        await policy.Clients.AddAsync(ClientListKind.Deny, "A2345678901234567890", null, default);
        Assert.Equal(PolicyVerdict.ClientDenied, policy.CheckAnnounce([], From("A2345678901234567890")).Verdict);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-XL 12-")]
    [InlineData("A23456789012345678901")]
    [InlineData("-qB\u00e9")]
    [InlineData("-qB\t")]
    public async Task OnlyOneToTwentyPrintableAsciiCharactersArePrefixes(string prefix)
    {
        Assert.False(ClientRule.IsValidPrefix(prefix));
        var policy = AnnouncePolicy.InMemory(_time);
        await Assert.ThrowsAsync<ArgumentException>(async () => await policy.Clients.AddAsync(ClientListKind.Deny, prefix, null, default));
    }

    [Fact]
    public void PeerIdBytesOutsideAsciiNeverMatch()
    {
        var list = new ClientList(new InMemoryClientListStore(), _time);
        list.Apply(new ClientRule("-", ClientListKind.Allow, null, _time.GetUtcNow(), 1));
        var bytes = new byte[PeerId.Length];
        bytes[0] = 0xAD; // Latin-1 soft hyphen: not '-'
        Assert.Equal(PolicyVerdict.ClientNotAllowed, list.Check(PeerId.FromBytes(bytes), out _));
    }

    [Fact]
    public async Task AnotherInstancesChangesApplyAfterARefreshAndRemovalsAreForgottenLater()
    {
        var store = new InMemoryClientListStore();
        var first = new ClientList(store, _time);
        var second = new ClientList(store, _time);
        await first.AddAsync(ClientListKind.Deny, "-XL0012-", null, default);
        Assert.Equal(PolicyVerdict.Allowed, second.Check(Client("-XL0012-"), out _));

        await second.RefreshAsync(default);
        Assert.Equal(PolicyVerdict.ClientDenied, second.Check(Client("-XL0012-"), out _));

        // Removed through the other instance, which learns of the rule from the store first.
        Assert.True(await second.RemoveAsync(ClientListKind.Deny, "-XL0012-", default));
        await first.RefreshAsync(default);
        Assert.Equal(PolicyVerdict.Allowed, first.Check(Client("-XL0012-"), out _));
        Assert.True(Assert.Single(await store.ListAsync(default)).Removed);

        _time.Advance(ChangeVersion.TombstoneRetention + TimeSpan.FromMinutes(1));
        await first.RefreshAsync(default);
        Assert.Empty(await store.ListAsync(default));
    }

    [Fact]
    public async Task ARemovalStaysWhenItsOlderAddArrivesLater()
    {
        var store = new InMemoryClientListStore();
        var list = new ClientList(store, _time);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var added = new ClientRule("-XL0012-", ClientListKind.Deny, null, _time.GetUtcNow(), now);
        var removed = added with { Version = now + 1000, Removed = true };
        foreach (var rule in new[] { removed, added, added, removed })
        {
            await store.PutAsync(rule, default);
            list.Apply(rule);
        }

        Assert.Equal(PolicyVerdict.Allowed, list.Check(Client("-XL0012-"), out _));
        await list.RefreshAsync(default);
        Assert.Equal(PolicyVerdict.Allowed, list.Check(Client("-XL0012-"), out _));
    }

    [Fact]
    public async Task CheckingAndNamingTheRuleAllocateNothing()
    {
        var policy = AnnouncePolicy.InMemory(_time);
        await policy.Clients.AddAsync(ClientListKind.Allow, "-qB", null, default);
        await policy.Clients.AddAsync(ClientListKind.Deny, "-qB4500-", null, default);
        var commands = new[] { From("-qB4650-"), From("-qB4500-"), From("-TR4050-") };
        var reason = new byte[AnnouncePolicy.MaxReasonLength];
        var verdicts = 0;
        void CheckAll()
        {
            foreach (var command in commands)
            {
                var decision = policy.CheckAnnounce([], command);
                verdicts += (int)decision.Verdict + policy.WriteReason(decision, reason);
            }
        }

        // A first round warms up (JIT, statics).
        CheckAll();
        Assert.Equal(0, Allocations.Fewest(CheckAll));
        Assert.NotEqual(0, verdicts);
    }

    [Fact]
    public async Task EachRuleCountsWhatItDecided()
    {
        using var meter = new Meter("test-clients");
        var counts = new Dictionary<(string, string), long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == meter && instrument.Name == "tracker.clients")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string rule = "?", outcome = "?";
            foreach (var tag in tags)
            {
                (rule, outcome) = tag.Key == "rule" ? ((string)tag.Value!, outcome) : (rule, (string)tag.Value!);
            }

            counts[(rule, outcome)] = counts.GetValueOrDefault((rule, outcome)) + value;
        });
        listener.Start();

        var policy = AnnouncePolicy.InMemory(_time);
        var settings = new SwarmSettings();
        var useCase = new AnnounceUseCase(new InMemorySwarmStore(settings, _time), policy, settings, new TrackerMetrics(meter));
        await policy.Clients.AddAsync(ClientListKind.Allow, "-qB", null, default);
        await policy.Clients.AddAsync(ClientListKind.Deny, "-qB4500-", null, default);
        foreach (var prefix in new[] { "-qB4650-", "-qB4650-", "-qB4500-", "-TR4050-" })
        {
            var outcome = await useCase.AnnounceAsync(TrackerProtocol.Udp, ClientFamily.Inet, [], From(prefix), Peers.V4(1), new AnnounceResult(50), default);
            Assert.Equal(prefix == "-qB4650-" ? AnnounceOutcomeKind.Answered : AnnounceOutcomeKind.Refused, outcome.Kind);
        }

        Assert.Equal(2, counts[("-qB", "allowed")]);
        Assert.Equal(1, counts[("-qB4500-", "denied")]);
        Assert.Equal(1, counts[("", "not_allowed")]);
    }

    private static string Reason(AnnouncePolicy policy, PolicyDecision decision)
    {
        var buffer = new byte[AnnouncePolicy.MaxReasonLength];
        return Encoding.ASCII.GetString(buffer, 0, policy.WriteReason(decision, buffer));
    }
}
