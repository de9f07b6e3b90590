using System.Net;
using System.Text.Json;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Tests.Listener;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Endpoints;

/// <summary><c>/health</c> and <c>/health/ready</c> on the self-hosted server, real Kestrel, in-memory store.</summary>
public sealed class WhenProbingHealth
{
    [Fact]
    public async Task LivenessAnswersOkAfterTheFastPathHandsItToKestrel()
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);

        using var response = await tracker.Client.GetAsync(new Uri("/health", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok\n", await response.Content.ReadAsStringAsync());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal(1, tracker.Service<FastPathCounters>().HandedOff);
    }

    [Fact]
    public async Task ReadinessIsReadyInMemory()
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);

        using var response = await tracker.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Equal("in memory", body.RootElement.GetProperty("checks").GetProperty("store").GetString());
        Assert.False(body.RootElement.GetProperty("checks").TryGetProperty("sync", out _));
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    public async Task HeadAnswersTheStatusWithoutABody(string path)
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);

        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(path, UriKind.Relative));
        using var response = await tracker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.True(response.Content.Headers.ContentLength > 0);
    }

    [Fact]
    public async Task OtherMethodsAreRefusedNotFailed()
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);

        using var response = await tracker.Client.PostAsync(new Uri("/health/ready", UriKind.Relative), new StringContent("x"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task ReadinessChecksTheSyncTopicWhenPublishing()
    {
        await using var tracker = await RunningTracker.StartAsync(
            new Dictionary<string, string?>
            {
                ["Tracker:Sync:TopicEndpoint"] = "https://topic.invalid/api/events",
                ["Tracker:Sync:TopicKey"] = new string('k', 44),
                ["Tracker:Sync:OperatorResyncSeconds"] = "0",
            },
            ipv6: false);

        using var response = await tracker.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("topic set, access key", body.RootElement.GetProperty("checks").GetProperty("sync").GetString());
    }

    [Fact]
    public async Task TheListenerLeavesHealthToKestrelsPort()
    {
        await using var tracker = await ListenerTrackers.StartAsync();

        using var kestrel = await tracker.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        var listener = await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), "GET /health HTTP/1.1\r\nHost: t\r\n\r\n");

        // The listener is its own socket and serves tracker requests only: probes go to Kestrel's port, where /health lives.
        Assert.Equal(HttpStatusCode.OK, kestrel.StatusCode);
        Assert.Equal(404, listener.Status);
    }
}
