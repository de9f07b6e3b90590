using System.Net;
using System.Text.Json;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Admin;

/// <summary>The admin API is never open by default: 403 without a configured token, 401 without the right one, and never any data.</summary>
public sealed class WhenAuthenticatingAdmin
{
    private static readonly (HttpMethod Method, string Path, object? Body)[] Calls =
    [
        (HttpMethod.Get, "/admin/passkeys", null),
        (HttpMethod.Post, "/admin/passkeys", new { name = "mallory" }),
        (HttpMethod.Get, "/admin/passkeys/0123456789abcdef0123456789abcdef", null),
        (HttpMethod.Delete, "/admin/passkeys/0123456789abcdef0123456789abcdef", null),
        (HttpMethod.Get, "/admin/infohashes", null),
        (HttpMethod.Post, "/admin/infohashes/deny", new { hash = new string('a', 40) }),
        (HttpMethod.Get, "/admin/factors", null),
        (HttpMethod.Post, "/admin/factors", new { hash = new string('a', 40), download = 0 }),
        (HttpMethod.Get, "/admin/ips", null),
        (HttpMethod.Post, "/admin/ips", new { entry = "0.0.0.0/0" }),
        (HttpMethod.Get, "/admin/swarms", null),
        (HttpMethod.Delete, "/admin/swarms/" + new string('a', 40), null),
        (HttpMethod.Get, "/admin/settings", null),
        (HttpMethod.Get, "/admin/nothing-here", null),
    ];

    [Fact]
    public async Task WithoutAConfiguredTokenEveryCallIsForbiddenAndChangesNothing()
    {
        await using var tracker = await RunningTracker.StartAsync();
        foreach (var (method, path, body) in Calls)
        {
            foreach (var token in new[] { null, "", "anything" })
            {
                var (status, json) = await tracker.Client.SendAsync(method, path, body, token);
                Assert.True(status == HttpStatusCode.Forbidden, $"{method} {path}: {status}");
                AssertNoData(json);
            }

            var (manageStatus, _) = await tracker.Client.SendAsync(method, path.Replace("/admin/", "/manage/"), body, null);
            Assert.Equal(HttpStatusCode.Forbidden, manageStatus);
        }

        var policy = tracker.Service<AnnouncePolicy>();
        Assert.Equal(0, policy.Passkeys.Count);
        Assert.Equal(0, policy.InfoHashes.DenyCount);
        Assert.Equal(0, policy.IpAllowList.Count);
        Assert.Equal(0, policy.Factors.Count);
    }

    private static void AssertNoData(System.Text.Json.Nodes.JsonNode? json)
    {
        if (json is null)
        {
            return;
        }

        var names = json.AsObject().Select(p => p.Key).ToList();
        Assert.Equal(["error"], names);
    }
}
