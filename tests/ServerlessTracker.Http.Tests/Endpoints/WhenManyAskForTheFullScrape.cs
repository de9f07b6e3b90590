using System.Net;
using System.Net.Sockets;
using System.Text;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Tests.Listener;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Endpoints;

/// <summary>The full scrape lists every swarm: one shared snapshot streamed to each client (never copied per request), at
/// most a configured number at once per instance, and off by default in private mode.</summary>
public sealed class WhenManyAskForTheFullScrape
{
    private const string Busy = "too many full scrapes at once; retry later";

    /// <summary>About 68 bytes of full scrape per swarm, well over the largest send buffer the kernel may grow to plus a small
    /// receive buffer: a client that does not read keeps the answer in flight.</summary>
    private static readonly int Swarms = Math.Max(80_000, (int)Math.Min(int.MaxValue / 2, LargestSendBuffer() * 3 / 2 / 68));

    private static long LargestSendBuffer()
    {
        var fields = File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData("fast path")]
    [InlineData("kestrel")]
    [InlineData("listener")]
    public async Task BeyondTheLimitAtOnceAClientIsToldToRetryAndTheSlotFreesWhenTheAnswerIsTaken(string transport)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tracker:RateLimit:RequestsPerSecond"] = "0",
            ["Tracker:Http:FullScrapeCacheSeconds"] = "3600",
            ["Tracker:Http:FullScrapeMaxConcurrent"] = "1",
            ["Tracker:Http:RetryInSeconds"] = "90",
            ["Tracker:Http:FastPath"] = transport == "kestrel" ? "false" : "true",

            // No stats page, so no history sampler: at a minute's start it lists the swarms, and a list taken while the
            // test populates would be the one the full scrape shares (by design, for Tracker:Listing:RefreshSeconds).
            ["Tracker:Stats:Enabled"] = "false",
        };
        await using var tracker = transport == "listener" ? await ListenerTrackers.StartAsync(settings) : await RunningTracker.StartAsync(settings, ipv6: false);
        var server = transport == "listener" ? tracker.ListenerUri() : tracker.BaseV4;
        await Populate(tracker.Service<ISwarmStore>());
        var first = await ListenerTrackers.ExchangeAsync(server, "GET /scrape HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n");
        Assert.Equal(Swarms, first.Bencode()["files"]!.Entries.Count);

        // A client that asks and does not read holds the one slot while its answer waits.
        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(new IPEndPoint(IPAddress.Parse(server.Host), server.Port));
        await stalled.SendAsync(Encoding.ASCII.GetBytes("GET /scrape HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n"));
        await Task.Delay(500);

        var refused = (await ListenerTrackers.ExchangeAsync(server, "GET /scrape HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n")).Bencode();
        Assert.Equal(Busy, refused.Failure());
        Assert.Equal(90, refused["interval"]!.Integer);
        Assert.Equal(2, refused["retry in"]!.Integer);

        // Named scrapes are not limited.
        var named = (await ListenerTrackers.ExchangeAsync(server, $"GET {ScrapeUrl(Hash(30_000))} HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n")).Bencode();
        Assert.Single(named["files"]!.Entries);

        // The stalled client finally reads: the whole snapshot, then its slot is free for the next one.
        var taken = await ReadToEnd(stalled);
        Assert.Equal(first.Body, taken[(taken.AsSpan().IndexOf("\r\n\r\n"u8) + 4)..]);
        var again = await Eventually(() => ListenerTrackers.ExchangeAsync(server, "GET /scrape HTTP/1.1\r\nHost: tracker\r\nConnection: close\r\n\r\n"));
        Assert.Equal(Swarms, again.Bencode()["files"]!.Entries.Count);
    }

    [Fact]
    public async Task AFullScrapeIsTheSharedSnapshotNotACopyInTheRequestsBuffer()
    {
        // No stats page, so no history sampler listing the swarms before the announce (see above).
        await using var tracker = await RunningTracker.StartAsync(
            new Dictionary<string, string?> { ["Tracker:RateLimit:RequestsPerSecond"] = "0", ["Tracker:Stats:Enabled"] = "false" }, ipv6: false);
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(531), 1, left: 1))).Failure());
        var scrapes = tracker.Service<ScrapeService>();
        var body = new ResponseBuffer();
        await Start(scrapes, body);

        Assert.Equal(0, body.WrittenCount);
        Assert.True(body.IsShared);
        Assert.Single(Protocol.Bencode.BencodeDecoder.Decode(body.Body.ToArray())["files"]!.Entries);

        // Every full scrape is handed the same bytes.
        var other = new ResponseBuffer();
        await Start(scrapes, other);
        Assert.True(body.Body.Span == other.Body.Span);
        body.Reset();
        other.Reset();
        Assert.False(body.IsShared);
    }

    [Fact]
    public async Task AFullScrapeIsOffByDefaultInPrivateModeAndCanBeSwitchedOn()
    {
        await using (var closed = await RunningTracker.StartAsync(AdminApi.Settings(("Tracker:Private:Enabled", "true")), ipv6: false))
        {
            var key = await closed.Client.CreatePasskeyAsync("alice");
            Assert.Contains("full scrape is disabled", (await closed.Client.GetBencodeAsync($"/scrape/{key}")).Failure());
            Assert.Single((await closed.Client.GetBencodeAsync($"/scrape/{key}?info_hash={Encode(Hash(532))}"))["files"]!.Entries);
        }

        await using var open = await RunningTracker.StartAsync(AdminApi.Settings(("Tracker:Private:Enabled", "true"), ("Tracker:Http:FullScrapeEnabled", "true")), ipv6: false);
        var bob = await open.Client.CreatePasskeyAsync("bob");
        Assert.NotNull((await open.Client.GetBencodeAsync($"/scrape/{bob}"))["files"]);
    }

    private static ValueTask<TrackerReply> Start(ScrapeService scrapes, ResponseBuffer body) =>
        scrapes.ScrapeAsync([], [], IPAddress.Loopback, ClientFamily.Inet, AcceptEncodingSource.None, body, CancellationToken.None);

    private static async Task Populate(ISwarmStore store)
    {
        var result = new AnnounceResult(1);
        var address = PeerAddress.FromIPAddress(IPAddress.Parse("203.0.113.5"));
        var peer = Engine.Peers.PeerId.FromBytes(PeerId(1));
        for (var n = 0; n < Swarms; n++)
        {
            var command = new AnnounceCommand(InfoHash.FromBytes(Hash(10_000 + n)), peer, address, 6881, PeerEvent.Started, 0, 0, 5, 0, 0, false, AddressFamilies.Both);
            await store.AnnounceAsync(command, result, CancellationToken.None);
        }
    }

    private static async Task<byte[]> ReadToEnd(Socket socket)
    {
        using var received = new MemoryStream();
        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return received.ToArray();
    }

    /// <summary>The slot is freed once the server has handed the last bytes over, a moment after the client read them.</summary>
    private static async Task<RawResponse> Eventually(Func<Task<RawResponse>> exchange)
    {
        for (var attempt = 0; ; attempt++)
        {
            var response = await exchange();
            if (response.Bencode().Failure() != Busy || attempt == 20)
            {
                return response;
            }

            await Task.Delay(50);
        }
    }
}
