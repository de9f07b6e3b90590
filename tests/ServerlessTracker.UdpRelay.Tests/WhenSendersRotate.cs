using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Limits;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>Budgets a sender cannot refill by changing its address or by crowding the table, and datagrams no one can answer.</summary>
public sealed class WhenSendersRotate : IDisposable
{
    private static readonly byte[] Bob = IPAddress.Parse("192.0.2.2").MapToIPv6().GetAddressBytes();

    private readonly FakeTimeProvider _time = new();
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly RequestContextPool _pool = new(200, AddressFamily.InterNetwork, 4);
    private readonly System.Diagnostics.Metrics.Meter _meter = new("rotating-senders");

    public void Dispose()
    {
        _socket.Dispose();
        _pool.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void ASpentBudgetIsNotRefilledByCrowdingTheTable()
    {
        var budgets = WhenSendersExceedTheirBudget.Budgets(1, 3, _time);
        while (budgets.Take(Bob) == BudgetVerdict.Allowed)
        {
        }

        var address = new byte[16];
        IPAddress.Parse("10.0.0.0").MapToIPv6().GetAddressBytes().CopyTo(address, 0);
        for (var i = 0; i < 100_000; i++)
        {
            address[15] = (byte)i;
            address[14] = (byte)(i >> 8);
            address[13] = (byte)(i >> 16);
            budgets.Take(address);
            _time.Advance(TimeSpan.FromTicks(10));
        }

        // 0.1 s passed: a tenth of a token earned back. Eviction takes the way with the most tokens left: never the bucket its owner just emptied.
        Assert.Equal(BudgetVerdict.Refused, budgets.Take(Bob));
    }

    [Fact]
    public void AnIPv6SiteRotatingItsNetworksDrawsOnOneAggregateBudget()
    {
        var budgets = WhenSendersExceedTheirBudget.Budgets(1, 2, _time, buckets: 4096);
        var allowed = 0;
        for (var network = 0; network < 100; network++)
        {
            var address = IPAddress.Parse($"2001:db8:5:{network:x}::1").GetAddressBytes();
            for (var i = 0; i < 2; i++)
            {
                allowed += budgets.Take(address) == BudgetVerdict.Allowed ? 1 : 0;
            }
        }

        // The /48's budget is 16 times one network's (2): 32, not 100 × 2.
        Assert.Equal(32, allowed);
    }

    [Fact]
    public void ADatagramFromSourcePortZeroIsDropped()
    {
        var store = new InMemorySwarmStore(new SwarmSettings(), _time, new Random(1));
        using var handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(store, Engine.Policy.AnnouncePolicy.InMemory(_time), new SwarmSettings(), new Engine.Diagnostics.TrackerMetrics(_meter)), new ConnectionIds(new byte[32], 60, _time), _pool, _socket, _ => { }, CancellationToken.None);
        var connect = new byte[16];
        ConnectRequest.Write(connect, 1);

        // No reply can reach port 0: answering would only send packets at whoever the source address names.
        Assert.Equal(0, handler.Handle(connect, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 0).Serialize(), CancellationToken.None));
        Assert.Equal(16, handler.Handle(connect, new IPEndPoint(IPAddress.Parse("192.0.2.1"), 6881).Serialize(), CancellationToken.None));
    }

    [Fact]
    public async Task AScrapePaysOneTokenPerInfoHashItNames()
    {
        await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:RateLimit:PacketsPerSecond"] = "1",
            ["Relay:RateLimit:Burst"] = "12",
        });
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        var five = Enumerable.Range(0, 5).Select(_ => TestBytes.Twenty()).ToArray();

        // 1 (connect) + 5 + 5 of 12 tokens: a third five-hash scrape is told to slow down.
        Assert.Equal(5, (await client.ScrapeAsync(id, five)).Length);
        Assert.Equal(5, (await client.ScrapeAsync(id, five)).Length);
        var packet = new byte[16 + (20 * five.Length)];
        ScrapeRequestParser.Write(packet, id, 77, five.SelectMany(h => h).ToArray());
        var answer = await client.ExchangeAsync(packet);
        Assert.NotNull(answer);
        Assert.True(ErrorResponse.TryRead(answer, out _, out var message));
        Assert.Equal("slow down"u8.ToArray(), message.ToArray());
    }

    [Fact]
    public async Task ANewSenderStartsWithItsInitialTokensNotTheWholeBurst()
    {
        await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:RateLimit:PacketsPerSecond"] = "1",
            ["Relay:RateLimit:Burst"] = "40",
            ["Relay:RateLimit:InitialTokens"] = "4",
        });
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        var hash = TestBytes.Twenty();
        for (var i = 0; i < 20; i++)
        {
            await client.SendAsync(UdpTrackerClient.AnnouncePacket(id, (uint)i, hash, TestBytes.Twenty(), 7000, left: 1));
        }

        var served = 0;
        while (await client.ReceiveAsync(TimeSpan.FromMilliseconds(500)) is { } answer)
        {
            served += AnnounceResponse.TryRead(answer, out _, out _, out _, out _, out _) ? 1 : 0;
        }

        // Three tokens after the connect, and perhaps one or two earned meanwhile: not 39.
        Assert.InRange(served, 3, 5);
    }
}
