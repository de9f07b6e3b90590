using System.Diagnostics.Metrics;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;

namespace ServerlessTracker.Engine.Tests.Tracking;

/// <summary>The swarm-creation budget of each address, charged by the announce use case for swarms the store does not hold.</summary>
public sealed class WhenAddressesCreateSwarms : IDisposable
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z"));
    private readonly Meter _meter = new("test");
    private readonly SwarmSettings _settings = new();

    public void Dispose() => _meter.Dispose();

    private static InfoHash Torrent(int n)
    {
        var bytes = new byte[InfoHash.Length];
        BitConverter.TryWriteBytes(bytes, n);
        return InfoHash.FromBytes(bytes);
    }

    private (AnnounceUseCase UseCase, InMemorySwarmStore Store) Build(int perAddress, int windowSeconds = 3600)
    {
        var store = new InMemorySwarmStore(_settings, _time, new Random(1));
        var budgets = new SwarmCreationBudgets(new SwarmCreationSettings { PerAddress = perAddress, WindowSeconds = windowSeconds }, _time);
        return (new AnnounceUseCase(store, AnnouncePolicy.InMemory(_time), _settings, new TrackerMetrics(_meter), budgets), store);
    }

    private static AnnounceOutcome Announce(AnnounceUseCase useCase, AnnounceCommand command)
    {
        // The in-memory store answers at once: the outcome is there without waiting.
        var outcome = useCase.AnnounceAsync(TrackerProtocol.Http, ClientFamily.Inet, [], command, command.Address, new AnnounceResult(50), default).AsTask();
        Assert.True(outcome.IsCompletedSuccessfully);
        return outcome.Result;
    }

    [Fact]
    public void AnAddressCreatesItsShareThenIsToldWhenItMayAgain()
    {
        var (useCase, store) = Build(perAddress: 3, windowSeconds: 3600);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(AnnounceOutcomeKind.Answered, Announce(useCase, Peers.Announce(1, torrent: Torrent(i))).Kind);
        }

        var refused = Announce(useCase, Peers.Announce(1, torrent: Torrent(3)));
        Assert.Equal((AnnounceOutcomeKind.Limited, AnnounceLimit.NewSwarms, 1200, 1200), (refused.Kind, refused.Limit, refused.RetryInSeconds, refused.Interval));
        Assert.Equal(3, store.SwarmCount);

        // Swarms that exist cost nothing; other addresses have budgets of their own; the budget is earned back.
        Assert.Equal(AnnounceOutcomeKind.Answered, Announce(useCase, Peers.Announce(2, torrent: Torrent(0))).Kind);
        Assert.Equal(AnnounceOutcomeKind.Answered, Announce(useCase, Peers.Announce(2, torrent: Torrent(4))).Kind);
        _time.Advance(TimeSpan.FromSeconds(1200));
        Assert.Equal(AnnounceOutcomeKind.Answered, Announce(useCase, Peers.Announce(1, torrent: Torrent(3))).Kind);
        Assert.Equal(AnnounceOutcomeKind.Limited, Announce(useCase, Peers.Announce(1, torrent: Torrent(5))).Kind);
    }

    [Fact]
    public void AStopOfASwarmNobodyHasReachesNoStoreAndCostsNoBudget()
    {
        var (useCase, store) = Build(perAddress: 1);
        var stopped = Announce(useCase, Peers.Announce(1, torrent: Torrent(9), @event: PeerEvent.Stopped));
        Assert.Equal(AnnounceOutcomeKind.Answered, stopped.Kind);
        Assert.Equal(0, store.SwarmCount);
        Assert.Equal(AnnounceOutcomeKind.Answered, Announce(useCase, Peers.Announce(1, torrent: Torrent(9))).Kind);
    }

    [Fact]
    public void IPv6AddressesShareABudgetPerPrefix()
    {
        var budgets = new SwarmCreationBudgets(new SwarmCreationSettings { PerAddress = 2, IPv6PrefixLength = 64 }, _time);
        Assert.True(budgets.TryTake(Peers.V6(1), out _));
        Assert.True(budgets.TryTake(Peers.V6(2), out _));
        Assert.False(budgets.TryTake(Peers.V6(3), out var retry));
        Assert.Equal(1800, retry);
        Assert.True(budgets.TryTake(Engine.Peers.PeerAddress.FromIPAddress(System.Net.IPAddress.Parse("2001:db9::1")), out _));
    }
}
