using System.Net;
using System.Text;
using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>The <c>syncevents</c> webhook under the host: the function key in the subscription URL authorizes Event Grid's
/// handshake and deliveries; another region's publisher reaches it as Event Grid would.</summary>
public sealed class WhenRegionsDeliverThroughTheHost
{
    private static string Keyed(string path) => $"{path}?code={FunctionAppUnderTest.FunctionKey}";

    [Fact]
    public async Task TheHandshakeIsAnsweredOnlyWithTheFunctionKey()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        using (var anonymous = new HttpRequestMessage(HttpMethod.Options, "/sync/events"))
        {
            anonymous.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
            using var refused = await app.Client.SendAsync(anonymous);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var handshake = new HttpRequestMessage(HttpMethod.Options, Keyed("/sync/events"));
        handshake.Headers.Add("WebHook-Request-Origin", "eventgrid.azure.net");
        using var answer = await app.Client.SendAsync(handshake);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("eventgrid.azure.net", answer.Headers.GetValues("WebHook-Allowed-Origin").Single());
    }

    [Fact]
    public async Task ABatchDeliveredWithTheKeyIsAppliedAndOneWithoutIsRefused()
    {
        await using var app = await FunctionAppUnderTest.StartAsync(new Dictionary<string, string?> { ["Tracker:Region"] = "west" });
        var hash = ServerlessTracker.Engine.InfoHash.FromBytes(Hash(91));
        var update = new ServerlessTracker.Engine.Replication.PeerUpdate(hash, ServerlessTracker.Engine.Peers.PeerId.FromBytes(PeerId(1)),
            ServerlessTracker.Engine.Peers.PeerAddress.FromIPAddress(IPAddress.Parse("198.51.100.9")), 6000,
            ServerlessTracker.Engine.Replication.ReplicatedPeerState.Seeder, false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), 0, 0);
        var batch = "[" + ServerlessTracker.Http.Tests.Sync.WhenRegionsSync.EventJson([update], "east") + "]";

        using (var refused = await app.Client.PostAsync("/sync/events", new StringContent(batch, Encoding.UTF8, "application/cloudevents-batch+json")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var delivered = await app.Client.PostAsync(Keyed("/sync/events"), new StringContent(batch, Encoding.UTF8, "application/cloudevents-batch+json")))
        {
            Assert.Equal(HttpStatusCode.OK, delivered.StatusCode);
        }

        var answer = await app.Client.GetBencodeAsync(AnnounceUrl(Hash(91), 2, left: 5));
        Assert.Equal(["198.51.100.9:6000"], answer.Peers4());
    }

    [Fact]
    public async Task MalformedDeliveriesGetA400()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        foreach (var body in new[] { "not json", "{}", "[{\"specversion\":\"1.0\"}]" })
        {
            using var response = await app.Client.PostAsync(Keyed("/sync/events"), new StringContent(body, Encoding.UTF8, "application/cloudevents+json"));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task ASelfHostedRegionsPublisherReachesTheFunctionApp()
    {
        await using var west = await FunctionAppUnderTest.StartAsync(new Dictionary<string, string?> { ["Tracker:Region"] = "west" });
        var east = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Region"] = "east",
            ["Tracker:Sync:TopicEndpoint"] = new Uri(west.BaseV4, Keyed("/sync/events")).ToString(),
            ["Tracker:Sync:TopicKey"] = "unused-by-the-host-0123456789abcdef",
            ["Tracker:Sync:FlushIntervalMilliseconds"] = "100",
        }, ipv6: false);
        await using (east)
        {
            await east.Client.GetBencodeAsync(AnnounceUrl(Hash(92), 1, port: 7001, left: 0));
            Assert.True(await TwoRegions.EventuallyAsync(async () =>
                (await west.Client.GetBencodeAsync(AnnounceUrl(Hash(92), 2, left: 5))).Peers4().Count == 1, TimeSpan.FromSeconds(10)),
                "east's announce never reached the function app");
        }
    }
}
