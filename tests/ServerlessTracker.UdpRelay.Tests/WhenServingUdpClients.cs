using System.Net;
using System.Net.Sockets;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The default loop: on Linux, many datagrams per system call (recvmmsg/sendmmsg).</summary>
public class WhenServingUdpClients : IAsyncLifetime
{
    private RelayHost _relay = null!;

    protected virtual string BatchSize => "32";

    public async Task InitializeAsync() => _relay = await RelayHost.StartAsync(new Dictionary<string, string?>
    {
        ["Tracker:Swarm:IntervalSeconds"] = "1200",
        ["Tracker:Swarm:IntervalJitterSeconds"] = "0",
        ["Relay:BatchSize"] = BatchSize,
    });

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task TwoIPv4PeersSeeEachOtherAsSixBytePeers()
    {
        using var seeder = new UdpTrackerClient(_relay.IPv4);
        using var leecher = new UdpTrackerClient(_relay.IPv4);
        var infoHash = TestBytes.Twenty();

        var first = await seeder.AnnounceAsync(await seeder.ConnectAsync(), infoHash, TestBytes.Twenty(), 51413, left: 0, AnnounceEvent.Started);
        var second = await leecher.AnnounceAsync(await leecher.ConnectAsync(), infoHash, TestBytes.Twenty(), 6881, left: 1000, AnnounceEvent.Started);

        Assert.Empty(first.Peers);
        Assert.Equal(1200, second.Interval);
        Assert.Equal((1, 1), (second.Seeders, second.Leechers));
        Assert.Equal(6, second.Peers.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 51413), second.PeerEndPoints(6).Single());
    }

    [Fact]
    public async Task TwoIPv6PeersSeeEachOtherAsEighteenBytePeers()
    {
        using var seeder = new UdpTrackerClient(_relay.IPv6);
        using var leecher = new UdpTrackerClient(_relay.IPv6);
        var infoHash = TestBytes.Twenty();

        await seeder.AnnounceAsync(await seeder.ConnectAsync(), infoHash, TestBytes.Twenty(), 51413, left: 0, AnnounceEvent.Started);
        var answer = await leecher.AnnounceAsync(await leecher.ConnectAsync(), infoHash, TestBytes.Twenty(), 6881, left: 1000, AnnounceEvent.Started);

        Assert.Equal(18, answer.Peers.Length);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 51413), answer.PeerEndPoints(18).Single());
    }

    [Fact]
    public async Task AnIPv4ClientGetsNoIPv6PeersAndTheOtherWayRound()
    {
        using var v6 = new UdpTrackerClient(_relay.IPv6);
        using var v4 = new UdpTrackerClient(_relay.IPv4);
        var infoHash = TestBytes.Twenty();

        await v6.AnnounceAsync(await v6.ConnectAsync(), infoHash, TestBytes.Twenty(), 1111, left: 5);
        var answer = await v4.AnnounceAsync(await v4.ConnectAsync(), infoHash, TestBytes.Twenty(), 2222, left: 5);

        Assert.Equal(2, answer.Leechers);
        Assert.Empty(answer.Peers);
    }

    [Fact]
    public async Task ScrapeCountsSeedersCompletedAndLeechersInRequestOrder()
    {
        using var client = new UdpTrackerClient(_relay.IPv4);
        var id = await client.ConnectAsync();
        var busy = TestBytes.Twenty();
        var unknown = TestBytes.Twenty();
        var peer = TestBytes.Twenty();
        await client.AnnounceAsync(id, busy, peer, 7000, left: 10, AnnounceEvent.Started);
        await client.AnnounceAsync(id, busy, peer, 7000, left: 0, AnnounceEvent.Completed);
        await client.AnnounceAsync(id, busy, TestBytes.Twenty(), 7001, left: 10);

        var counts = await client.ScrapeAsync(id, unknown, busy);

        Assert.Equal([(0, 0, 0), (1, 1, 1)], counts);
    }

    [Fact]
    public async Task ScrapeServesAtMostSeventyFourHashes()
    {
        using var client = new UdpTrackerClient(_relay.IPv6);
        var id = await client.ConnectAsync();

        var counts = await client.ScrapeAsync(id, Enumerable.Range(0, 80).Select(_ => TestBytes.Twenty()).ToArray());

        Assert.Equal(74, counts.Length);
    }

    [Fact]
    public async Task StoppedRemovesThePeer()
    {
        using var client = new UdpTrackerClient(_relay.IPv4);
        var id = await client.ConnectAsync();
        var infoHash = TestBytes.Twenty();
        var peer = TestBytes.Twenty();
        await client.AnnounceAsync(id, infoHash, peer, 7000, left: 10, AnnounceEvent.Started);

        var stopped = await client.AnnounceAsync(id, infoHash, peer, 7000, left: 10, AnnounceEvent.Stopped);

        Assert.Equal((0, 0), (stopped.Seeders, stopped.Leechers));
        Assert.Equal([(0, 0, 0)], await client.ScrapeAsync(id, infoHash));
    }

    [Fact]
    public async Task AConnectionIdWorksFromAnotherPortOfTheSameAddress()
    {
        // libtorrent shares one id per tracker across all its sockets, each with its own source port.
        using var first = new UdpTrackerClient(_relay.IPv4);
        using var second = new UdpTrackerClient(_relay.IPv4);
        var id = await first.ConnectAsync();

        var answer = await second.AnnounceAsync(id, TestBytes.Twenty(), TestBytes.Twenty(), 7000, 1);

        Assert.Equal(1, answer.Leechers);
    }

    [Fact]
    public async Task AConnectionIdWorksOnlyFromTheAddressItWasIssuedTo()
    {
        using var owner = new UdpTrackerClient(_relay.IPv4);
        using var thief = new UdpTrackerClient(_relay.IPv4, IPAddress.Parse("127.0.0.2"));
        var id = await owner.ConnectAsync();

        var answer = await thief.ExchangeAsync(UdpTrackerClient.AnnouncePacket(id, 77, TestBytes.Twenty(), TestBytes.Twenty(), 7000, 1));

        Assert.NotNull(answer);
        Assert.True(ErrorResponse.TryRead(answer, out var transaction, out var message));
        Assert.Equal(77u, transaction);
        Assert.Equal("bad connection id"u8.ToArray(), message.ToArray());
    }

    [Theory]
    [InlineData(24)] // shorter than the 25-byte error: silence
    [InlineData(16)]
    public async Task ABadIdInAShortPacketGetsSilenceNotALargerAnswer(int length)
    {
        using var client = new UdpTrackerClient(_relay.IPv4);
        var packet = new byte[length];
        UdpRequestHeader.Write(packet, 0x0102030405060708, UdpAction.Scrape, 5);

        Assert.Null(await client.ExchangeAsync(packet, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task AConnectWithTheWrongMagicGetsSilence()
    {
        using var client = new UdpTrackerClient(_relay.IPv6);
        var packet = new byte[16];
        UdpRequestHeader.Write(packet, UdpRequestHeader.ProtocolId + 1, UdpAction.Connect, 5);

        Assert.Null(await client.ExchangeAsync(packet, TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task AVerifiedClientGetsErrorsForMalformedRequests()
    {
        using var client = new UdpTrackerClient(_relay.IPv4);
        var id = await client.ConnectAsync();
        var shortAnnounce = new byte[40];
        UdpRequestHeader.Write(shortAnnounce, id, UdpAction.Announce, 9);
        var unknownAction = new byte[16];
        UdpRequestHeader.Write(unknownAction, id, (UdpAction)7, 10);
        var emptyScrape = new byte[16];
        UdpRequestHeader.Write(emptyScrape, id, UdpAction.Scrape, 11);

        Assert.Equal("packet too short", await ErrorText(client, shortAnnounce));
        Assert.Equal("unknown action", await ErrorText(client, unknownAction));
        Assert.Equal("no info_hash", await ErrorText(client, emptyScrape));
    }

    [Fact]
    public async Task AnnouncesWithTrailingOptionsAreServed()
    {
        using var client = new UdpTrackerClient(_relay.IPv4);
        var id = await client.ConnectAsync();
        var packet = UdpTrackerClient.AnnouncePacket(id, 12, TestBytes.Twenty(), TestBytes.Twenty(), 7000, 1);
        var options = new byte[64];
        var length = UrlDataOptions.Write("/announce?passkey=abc"u8, options);

        var answer = await client.ExchangeAsync([.. packet, .. options.AsSpan(0, length), 0xFF, 0xFF]);

        Assert.NotNull(answer);
        Assert.True(AnnounceResponse.TryRead(answer, out var transaction, out _, out _, out _, out _));
        Assert.Equal(12u, transaction);
    }

    private static async Task<string> ErrorText(UdpTrackerClient client, byte[] packet)
    {
        var answer = await client.ExchangeAsync(packet) ?? throw new TimeoutException();
        Assert.True(ErrorResponse.TryRead(answer, out _, out var message));
        return System.Text.Encoding.ASCII.GetString(message);
    }
}

/// <summary>The portable loop: one synchronous ReceiveFrom/SendTo per datagram.</summary>
public sealed class WhenServingUdpClientsOneDatagramAtATime : WhenServingUdpClients
{
    protected override string BatchSize => "1";
}
