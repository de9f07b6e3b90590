using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The function app (real Kestrel) and the relay on one store: one torrent, one swarm, whatever the protocol.</summary>
public sealed class WhenHttpAndUdpPeersShareAStore
{
    [Fact]
    public async Task AnHttpPeerAndAUdpPeerOfOneTorrentSeeEachOther()
    {
        var store = new InMemorySwarmStore(new SwarmSettings(), TimeProvider.System);
        await using var relay = await RelayHost.StartAsync(store: _ => store);
        await using var app = TrackerApp.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Services.AddSingleton<ISwarmStore>(store));
        await app.StartAsync();
        var http = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using var client = new HttpClient { BaseAddress = http };
        using var udp = new UdpTrackerClient(relay.IPv4);
        var infoHash = TestBytes.Twenty();
        infoHash[0] = 0xFF; // a byte that is not valid UTF-8 must survive the HTTP side too

        var first = await AnnounceOverHttp(client, infoHash, TestBytes.Twenty(), port: 7001, left: 0);
        var viaUdp = await udp.AnnounceAsync(await udp.ConnectAsync(), infoHash, TestBytes.Twenty(), 7002, left: 100, AnnounceEvent.Started);
        var second = await AnnounceOverHttp(client, infoHash, TestBytes.Twenty(), port: 7003, left: 100);

        Assert.Empty(first["peers"]!.Bytes);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 7001), viaUdp.PeerEndPoints(6).Single());
        Assert.Equal((1, 1), (viaUdp.Seeders, viaUdp.Leechers));
        var peers = new Announced(0, 0, 0, second["peers"]!.Bytes).PeerEndPoints(6);
        Assert.Contains(new IPEndPoint(IPAddress.Loopback, 7002), peers);
        Assert.Equal(2, second["incomplete"]!.Integer);
    }

    private static async Task<BencodeValue> AnnounceOverHttp(HttpClient client, byte[] infoHash, byte[] peerId, int port, long left)
    {
        var query = new StringBuilder("/announce?info_hash=").Append(Escape(infoHash))
            .Append("&peer_id=").Append(Escape(peerId))
            .Append("&port=").Append(port)
            .Append("&uploaded=0&downloaded=0&left=").Append(left)
            .Append("&compact=1&event=started");
        var body = await client.GetByteArrayAsync(query.ToString());
        var answer = BencodeDecoder.Decode(body);
        Assert.Null(answer["failure reason"]);
        return answer;
    }

    private static string Escape(byte[] bytes) => string.Concat(bytes.Select(b => "%" + b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
}
