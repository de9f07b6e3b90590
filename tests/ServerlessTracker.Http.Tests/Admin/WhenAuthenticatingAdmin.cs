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
    }

    [Fact]
    public async Task WithATokenOnlyTheRightBearerGetsIn()
    {
        await using var tracker = await RunningTracker.StartAsync(Support.AdminApi.Settings());
        foreach (var (method, path, body) in Calls)
        {
            foreach (var token in new[] { null, "", "wrong", Support.AdminApi.Token + "x", Support.AdminApi.Token[..^1] })
            {
                var (status, json) = await tracker.Client.SendAsync(method, path, body, token);
                Assert.True(status == HttpStatusCode.Unauthorized, $"{method} {path} with '{token}': {status}");
                AssertNoData(json);
            }
        }

        using var basic = new HttpRequestMessage(HttpMethod.Get, "/admin/passkeys");
        basic.Headers.Authorization = new("Basic", Convert.ToBase64String("admin:"u8.ToArray().Concat(System.Text.Encoding.UTF8.GetBytes(Support.AdminApi.Token)).ToArray()));
        using var basicResponse = await tracker.Client.SendAsync(basic);
        Assert.Equal(HttpStatusCode.Unauthorized, basicResponse.StatusCode);
        Assert.Equal("Bearer", basicResponse.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, tracker.Service<AnnouncePolicy>().Passkeys.Count);

        Assert.Equal(HttpStatusCode.OK, (await tracker.Client.SendAsync(HttpMethod.Get, "/admin/passkeys")).Status);
        Assert.Equal(HttpStatusCode.OK, (await tracker.Client.SendAsync(HttpMethod.Get, "/manage/passkeys")).Status);
    }

    [Fact]
    public async Task UnderTheFunctionsHostTheManageRouteReliesOnTheFunctionKeyAndAdminStaysClosed()
    {
        var port = WhenBehindProxies.FreePort();
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString() }, urls: "");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(HttpMethod.Post, "/manage/passkeys", null, null)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(HttpMethod.Get, "/admin/passkeys", null, null)).Status);
    }

    [Fact]
    public async Task UnderTheFunctionsHostAConfiguredTokenIsRequiredOnTopOfTheKey()
    {
        var port = WhenBehindProxies.FreePort();
        await using var tracker = await RunningTracker.StartAsync(
            Support.AdminApi.Settings(("FUNCTIONS_CUSTOMHANDLER_PORT", port.ToString())), urls: "");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(HttpMethod.Get, "/manage/passkeys", null, null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(HttpMethod.Get, "/manage/passkeys")).Status);
    }

    [Theory]
    [InlineData("/announce/..%2F..%2Fadmin/passkeys")]
    [InlineData("/announce/%2e%2e/manage/passkeys")]
    [InlineData("/scrape/../manage/settings")]
    [InlineData("/stats/../admin/settings")]
    public async Task NoAnonymousRouteLeadsIntoTheAdminApi(string target)
    {
        var port = WhenBehindProxies.FreePort();
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString() }, urls: "");
        await new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") }.SendAsync(HttpMethod.Post, "/manage/passkeys", null, null);
        var (status, body) = await RawHttp.SendAsync(new Uri($"http://127.0.0.1:{port}"), "GET", target);
        var text = System.Text.Encoding.UTF8.GetString(body);
        Assert.DoesNotContain("passkey\"", text);
        Assert.DoesNotContain("\"swarm\"", text);
        Assert.True(status is 200 or 400 or 403 or 404, $"{target}: {status} {text}");
    }

    [Fact]
    public async Task FunctionFoldersGuardTheAdminApiWithAFunctionKeyAndNoRouteStartsWithAdmin()
    {
        var output = Path.Combine(Repository.Root, "functions", "ServerlessTracker.Server");
        using var manage = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "manage", "function.json")));
        var trigger = manage.RootElement.GetProperty("bindings")[0];
        Assert.Equal("function", trigger.GetProperty("authLevel").GetString());
        Assert.Equal("manage/{*path}", trigger.GetProperty("route").GetString());

        var routes = new Dictionary<string, (string Route, string Auth)>();
        foreach (var file in Directory.GetFiles(output, "function.json", SearchOption.AllDirectories))
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            foreach (var binding in json.RootElement.GetProperty("bindings").EnumerateArray())
            {
                if (binding.GetProperty("type").GetString() == "httpTrigger")
                {
                    routes[Path.GetFileName(Path.GetDirectoryName(file)!)] = (binding.GetProperty("route").GetString()!, binding.GetProperty("authLevel").GetString()!);
                }
            }
        }

        // The host reserves /admin and refuses function routes starting with it ("conflicts with one or more built in routes").
        Assert.DoesNotContain(routes.Values, r => r.Route.StartsWith("admin", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(("stats/{*format}", "anonymous"), routes["stats"]);
        Assert.Equal(("stats.json", "anonymous"), routes["stats-json"]);
        Assert.Equal(("metrics", "function"), routes["metrics"]);
        Assert.Equal(("announce/{*passkey}", "anonymous"), routes["announce"]);
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
