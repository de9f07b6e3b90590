using System.Net;
using System.Text;
using Azure.Messaging;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Sync;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Wire;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Sync;

public class WhenRegionsSync : IAsyncLifetime
{
    /// <summary>Store settings for a region: none (the in-memory store) here; Table Storage in the derived class.</summary>
    protected virtual IDictionary<string, string?>? StoreFor(string region) => null;

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(2);
    private TwoRegions _regions = null!;

    public async Task InitializeAsync() => _regions = await TwoRegions.StartAsync(storeFor: region => StoreFor(region) ?? new Dictionary<string, string?>());

    public async Task DisposeAsync() => await _regions.DisposeAsync();

    private static async Task<List<string>> PeersSeenBy(RunningTracker tracker, byte[] hash, int asPeer) =>
        (await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, asPeer, port: 9999, left: 1))).Peers4();

    [Fact]
    public async Task APeerInOneRegionIsReturnedInTheOtherWithinTwoSeconds()
    {
        var hash = Hash(61);
        await _regions.East.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0));
        await _regions.West.Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 0));

        Assert.True(await TwoRegions.EventuallyAsync(async () => (await PeersSeenBy(_regions.West, hash, 100)).Contains("127.0.0.1:7001"), Within),
            "west never learned east's peer");
        Assert.True(await TwoRegions.EventuallyAsync(async () => (await PeersSeenBy(_regions.East, hash, 101)).Contains("127.0.0.1:7002"), Within),
            "east never learned west's peer");
    }

    [Fact]
    public async Task AStopInOneRegionRemovesThePeerFromTheOther()
    {
        var hash = Hash(62);
        await _regions.East.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0));
        Assert.True(await TwoRegions.EventuallyAsync(async () => (await PeersSeenBy(_regions.West, hash, 100)).Count == 1, Within));

        await _regions.East.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=stopped"));
        Assert.True(await TwoRegions.EventuallyAsync(async () => !(await PeersSeenBy(_regions.West, hash, 100)).Contains("127.0.0.1:7001"), Within),
            "the stop never reached west");
    }

    [Fact]
    public async Task CompletedCountsReachTheOtherRegionOnce()
    {
        var hash = Hash(63);
        await _regions.East.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=completed"));
        await _regions.East.Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=completed"));
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await _regions.West.Client.GetBencodeAsync(ScrapeUrl(hash)))["files"]!.Find(hash)?["downloaded"]?.Integer == 1, Within));
    }

    [Fact]
    public async Task DuplicatedReorderedAndReplayedDeliveriesConverge()
    {
        var hash = InfoHash.FromBytes(Hash(64));
        var t0 = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 60_000;
        var updates = new List<PeerUpdate>();
        for (var i = 0; i < 60; i++)
        {
            var peer = i % 12;
            var state = i % 5 == 4 ? ReplicatedPeerState.Stopped : (ReplicatedPeerState)(i % 2);
            updates.Add(new PeerUpdate(hash, ServerlessTracker.Engine.Peers.PeerId.FromBytes(Announces.PeerId(peer)), PeerAddress.FromIPAddress(IPAddress.Parse($"198.51.100.{peer + 1}")),
                (ushort)(6000 + i), state, state == ReplicatedPeerState.Seeder, t0 + (i * 500), 0, 0));
        }

        // East applies them once, in order; west gets them split, shuffled, duplicated and replayed.
        await Deliver(_regions.East, updates, "north");
        var random = new Random(4);
        var deliveries = updates.Chunk(7).Concat(updates.Chunk(5)).Concat(updates.Chunk(60)).OrderBy(_ => random.Next()).ToList();
        foreach (var delivery in deliveries)
        {
            await Deliver(_regions.West, delivery, "north");
        }

        var bytes = hash.ToArray();
        var eastView = await _regions.East.Client.GetBencodeAsync(ScrapeUrl(bytes));
        var westView = await _regions.West.Client.GetBencodeAsync(ScrapeUrl(bytes));
        Assert.Equal(Encoding.Latin1.GetString(BencodeBytes(eastView)), Encoding.Latin1.GetString(BencodeBytes(westView)));
        var eastPeers = (await _regions.East.Client.GetBencodeAsync(AnnounceUrl(bytes, 500, port: 1, left: 1, extra: "&numwant=200"))).Peers4().Order();
        var westPeers = (await _regions.West.Client.GetBencodeAsync(AnnounceUrl(bytes, 500, port: 1, left: 1, extra: "&numwant=200"))).Peers4().Order();
        Assert.Equal(eastPeers, westPeers);
        Assert.NotEmpty(eastPeers);
    }

    [Fact]
    public async Task EventsFromTheOwnRegionAreIgnored()
    {
        var hash = InfoHash.FromBytes(Hash(65));
        var update = new PeerUpdate(hash, ServerlessTracker.Engine.Peers.PeerId.FromBytes(Announces.PeerId(1)), PeerAddress.FromIPAddress(IPAddress.Parse("198.51.100.9")), 6000,
            ReplicatedPeerState.Seeder, false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, 0);
        await Deliver(_regions.East, [update], "east");
        Assert.Empty(await PeersSeenBy(_regions.East, hash.ToArray(), 2));
    }

    [Fact]
    public async Task TheWebhookRefusesCallersWithoutTheKeyAndAnswersTheHandshake()
    {
        var json = EventJson([], "north");
        using (var response = await _regions.West.Client.PostAsync("/sync/events", new StringContent(json, Encoding.UTF8, "application/cloudevents+json")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        foreach (var (path, header) in new[] { ("/sync/events", "wrong"), ($"/sync/events?code={TwoRegions.Key}", null) })
        {
            // A wrong key, and the right key in the query string: only the header counts (a key in a URL ends up in logs).
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/cloudevents+json") };
            if (header is not null)
            {
                request.Headers.Add("aeg-sas-key", header);
            }

            using var response = await _regions.West.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var handshake = new HttpRequestMessage(HttpMethod.Options, "/sync/events");
        handshake.Headers.Add("aeg-sas-key", TwoRegions.Key);
        handshake.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
        using var answer = await _regions.West.Client.SendAsync(handshake);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("eventgrid.azure.net", answer.Headers.GetValues("WebHook-Allowed-Origin").Single());
    }

    [Fact]
    public async Task MalformedDeliveriesGetA400()
    {
        foreach (var body in new[] { "not json", "{}", "[{\"specversion\":\"1.0\"}]" })
        {
            using var response = await _regions.West.Client.SendAsync(TwoRegions.Delivery(body, "application/cloudevents+json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    public static string EventJson(IReadOnlyList<PeerUpdate> updates, string region)
    {
        var cloudEvent = new CloudEvent(EventGridSyncPublisher.SourceFor(region), EventGridSyncPublisher.EventType,
            BinaryData.FromBytes(PeerUpdateBatchCodec.Encode(updates.ToArray())), "application/octet-stream")
        { Time = DateTimeOffset.UtcNow };
        return System.Text.Json.JsonSerializer.Serialize(cloudEvent);
    }

    internal static async Task Deliver(RunningTracker tracker, IReadOnlyList<PeerUpdate> updates, string region)
    {
        using var response = await tracker.Client.SendAsync(TwoRegions.Delivery("[" + EventJson(updates, region) + "]", "application/cloudevents-batch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static byte[] BencodeBytes(ServerlessTracker.Protocol.Bencode.BencodeValue value) =>
        Encoding.Latin1.GetBytes(string.Join(",", value["files"]!.Entries.Select(e => $"{Convert.ToHexString(e.Key)}:{e.Value["complete"]!.Integer}/{e.Value["incomplete"]!.Integer}/{e.Value["downloaded"]!.Integer}")));
}
