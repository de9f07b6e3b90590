using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Security;

/// <summary>No key, token or connection string reaches the logs, even when everything that uses one fails.</summary>
public class WhenKeepingSecrets
{
    [Fact]
    public async Task NoSecretIsLoggedWhileKeysAreUsedAndTheirServicesFail()
    {
        var storageKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(64));
        var topicKey = "topic-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var receiverKey = "receiver-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var adminToken = "admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var closed = WhenBehindProxies.FreePort();
        var logs = new CapturedLogs();
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            // Storage and Event Grid on a closed port: every use of their keys fails, and failures are what get logged.
            ["Tracker:Tables:ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={storageKey};TableEndpoint=http://127.0.0.1:{closed}/devstoreaccount1;",
            ["Tracker:Tables:MaxRetries"] = "0",
            ["Tracker:Tables:RetryBudgetMilliseconds"] = "500",
            ["Tracker:Sync:TopicEndpoint"] = $"http://127.0.0.1:{closed}/api/events",
            ["Tracker:Sync:TopicKey"] = topicKey,
            ["Tracker:Sync:ReceiverKey"] = receiverKey,
            ["Tracker:Sync:MaxPublishAttempts"] = "1",
            ["Tracker:Sync:FlushIntervalMilliseconds"] = "50",
            ["Tracker:Admin:Token"] = adminToken,
        }, builder =>
        {
            // Everything our code and the Azure SDK log, at every level; the framework at the levels the app ships with.
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter<CapturedLogs>("ServerlessTracker", LogLevel.Trace);
            builder.Logging.AddFilter<CapturedLogs>("Azure", LogLevel.Trace);
        }, ipv6: false);

        var hash = Hash(700);
        var refused = await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, 1));
        Assert.NotNull(refused.Failure());
        await tracker.Client.GetBencodeAsync(ScrapeUrl(hash));

        foreach (var (path, header) in new[] { ($"/sync/events?code={receiverKey}", null), ("/sync/events", receiverKey), ("/sync/events?code=wrong-" + receiverKey, null) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent("not json") };
            if (header is not null)
            {
                request.Headers.Add("aeg-sas-key", header);
            }

            using var response = await tracker.Client.SendAsync(request);
            Assert.NotEqual(HttpStatusCode.InternalServerError, response.StatusCode);
        }

        foreach (var bearer in new[] { adminToken, "wrong-" + adminToken })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/passkeys");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
            using var response = await tracker.Client.SendAsync(request);

            // The right token with storage down: 503 and a retry hint, never a 500.
            Assert.Equal(bearer == adminToken ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // A change to publish, then time for the publisher to fail against the closed port.
        var inMemory = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Sync:TopicEndpoint"] = $"http://127.0.0.1:{closed}/api/events",
            ["Tracker:Sync:TopicKey"] = topicKey,
            ["Tracker:Sync:MaxPublishAttempts"] = "1",
            ["Tracker:Sync:FlushIntervalMilliseconds"] = "50",
            ["Tracker:Admin:Token"] = adminToken,
        }, builder => builder.Logging.AddProvider(logs), ipv6: false);
        await using (inMemory)
        {
            Assert.Null((await inMemory.Client.GetBencodeAsync(AnnounceUrl(hash, 2))).Failure());
            Assert.True(await TwoRegions.EventuallyAsync(() => Task.FromResult(logs.Lines.Any(l => l.Contains("ServerlessTracker.Sync", StringComparison.Ordinal))), TimeSpan.FromSeconds(10)),
                "the failing publisher logged nothing");
        }

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains("ServerlessTracker.Storage", StringComparison.Ordinal));
        foreach (var secret in new[] { storageKey, topicKey, receiverKey, adminToken })
        {
            Assert.DoesNotContain(lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }
}
