using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Limits;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.Tests.Shared;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>Per-address token buckets: a flooding sender is cut off (told once, then silence), others are served.</summary>
public sealed class WhenSendersExceedTheirBudget : IDisposable
{
    private static readonly byte[] Alice = IPAddress.Parse("192.0.2.1").MapToIPv6().GetAddressBytes();
    private static readonly byte[] Bob = IPAddress.Parse("192.0.2.2").MapToIPv6().GetAddressBytes();

    private readonly FakeTimeProvider _time = new();
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly RequestContextPool _pool = new(200, AddressFamily.InterNetwork, 4);
    private readonly System.Diagnostics.Metrics.Meter _meter = new("sender-budgets");

    public void Dispose()
    {
        _socket.Dispose();
        _pool.Dispose();
        _meter.Dispose();
    }

    internal static AddressBudgets Budgets(int perSecond, int burst, TimeProvider time, int buckets = 64) =>
        new(new AddressBudgetSettings(perSecond, burst, burst, Buckets: buckets), time);

    private AddressBudgets Budgets(int perSecond, int burst) => Budgets(perSecond, burst, _time);

    [Fact]
    public void ABucketAllowsItsBurstThenRefillsAtItsRate()
    {
        var budgets = Budgets(10, 5);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(BudgetVerdict.Allowed, budgets.Take(Alice));
        }

        Assert.Equal(BudgetVerdict.FirstRefusal, budgets.Take(Alice));
        Assert.Equal(BudgetVerdict.Refused, budgets.Take(Alice));
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(Bob));

        _time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(Alice));
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(Alice));
        Assert.Equal(BudgetVerdict.FirstRefusal, budgets.Take(Alice));

        _time.Advance(TimeSpan.FromHours(1));
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(BudgetVerdict.Allowed, budgets.Take(Alice));
        }

        Assert.NotEqual(BudgetVerdict.Allowed, budgets.Take(Alice));
    }

    [Fact]
    public void AnIPv6NetworkSharesOneBudget()
    {
        var budgets = Budgets(1, 2);
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(IPAddress.Parse("2001:db8:1:2::1").GetAddressBytes()));
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(IPAddress.Parse("2001:db8:1:2:ffff::9").GetAddressBytes()));
        Assert.Equal(BudgetVerdict.FirstRefusal, budgets.Take(IPAddress.Parse("2001:db8:1:2::77").GetAddressBytes()));
        Assert.Equal(BudgetVerdict.Allowed, budgets.Take(IPAddress.Parse("2001:db8:1:3::1").GetAddressBytes()));
    }

    [Fact]
    public void ManyMoreAddressesThanBucketsNeverAllocateOrCorruptABudget()
    {
        var budgets = Budgets(1, 3);
        var address = new byte[16];
        Alice.CopyTo(address, 0);
        Assert.Equal(0, Allocations.Fewest(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                address[15] = (byte)i;
                address[14] = (byte)(i >> 8);
                address[13] = (byte)(i >> 16);
                budgets.Take(address);
            }
        }));

        // A sender seen again after the churn starts with its initial tokens (here its whole, small burst): never more.
        var allowed = 0;
        while (budgets.Take(Bob) == BudgetVerdict.Allowed)
        {
            allowed++;
        }

        Assert.Equal(3, allowed);
    }

    [Fact]
    public void AVerifiedSenderOverBudgetIsToldToSlowDownOnceAndNeverMoreThanItSent()
    {
        var budgets = Budgets(1, 3);
        var store = new InMemorySwarmStore(new SwarmSettings(), _time, new Random(1));
        using var handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(store, Engine.Policy.AnnouncePolicy.InMemory(_time), new SwarmSettings(), new Engine.Diagnostics.TrackerMetrics(_meter)), new ConnectionIds(new byte[32], 60, _time), _pool, _socket, _ => { }, CancellationToken.None, budgets);
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.1"), 6881).Serialize();
        var connect = new byte[16];
        ConnectRequest.Write(connect, 1);
        Assert.Equal(16, handler.Handle(connect, client, CancellationToken.None));
        ConnectResponse.TryRead(handler.Response, out _, out var id);
        var announce = UdpTrackerClient.AnnouncePacket(id, 2, TestBytes.Twenty(), TestBytes.Twenty(), 7000, left: 1);

        Assert.True(handler.Handle(announce, client, CancellationToken.None) >= AnnounceResponse.HeaderLength);
        Assert.True(handler.Handle(announce, client, CancellationToken.None) >= AnnounceResponse.HeaderLength);

        var told = handler.Handle(announce, client, CancellationToken.None);
        Assert.True(ErrorResponse.TryRead(handler.Response[..told], out var transaction, out var message));
        Assert.Equal(2u, transaction);
        Assert.Equal("slow down"u8.ToArray(), message.ToArray());
        Assert.True(told <= announce.Length);

        Assert.Equal(0, handler.Handle(announce, client, CancellationToken.None));
        Assert.Equal(0, handler.Handle(connect, client, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(handler.Handle(announce, client, CancellationToken.None) >= AnnounceResponse.HeaderLength);
    }

    [Fact]
    public void AnUnverifiedSenderOverBudgetGetsSilence()
    {
        var budgets = Budgets(1, 1);
        var store = new InMemorySwarmStore(new SwarmSettings(), _time, new Random(1));
        using var handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(store, Engine.Policy.AnnouncePolicy.InMemory(_time), new SwarmSettings(), new Engine.Diagnostics.TrackerMetrics(_meter)), new ConnectionIds(new byte[32], 60, _time), _pool, _socket, _ => { }, CancellationToken.None, budgets);
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.9"), 6881).Serialize();
        var forged = UdpTrackerClient.AnnouncePacket(0xBAD, 2, TestBytes.Twenty(), TestBytes.Twenty(), 7000, left: 1);

        Assert.Equal(ErrorResponse.LengthOf(UdpRequestError.BadConnectionId), handler.Handle(forged, client, CancellationToken.None));
        Assert.Equal(0, handler.Handle(forged, client, CancellationToken.None));
        Assert.Equal(0, handler.Handle(forged, client, CancellationToken.None));
    }

    [Fact]
    public async Task TheRelayAppliesTheConfiguredBudget()
    {
        await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:RateLimit:PacketsPerSecond"] = "1",
            ["Relay:RateLimit:Burst"] = "4",
        });
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        var hash = TestBytes.Twenty();
        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(UdpTrackerClient.AnnouncePacket(id, (uint)i, hash, TestBytes.Twenty(), 7000, left: 1));
        }

        var answers = new List<byte[]>();
        while (await client.ReceiveAsync(TimeSpan.FromMilliseconds(500)) is { } answer)
        {
            answers.Add(answer);
        }

        // Three tokens were left after the connect (one more may have been earned meanwhile), then one "slow down", then silence.
        var served = answers.Count(a => AnnounceResponse.TryRead(a, out _, out _, out _, out _, out _));
        Assert.InRange(served, 3, 5);
        Assert.Single(answers, a => ErrorResponse.TryRead(a, out _, out var message) && message.SequenceEqual("slow down"u8));
        Assert.Equal(served + 1, answers.Count);

        using var other = new UdpTrackerClient(relay.IPv6);
        Assert.NotEqual(0UL, await other.ConnectAsync());
    }
}
