using System.Net;
using System.Text;
using ServerlessTracker.Admin;
using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>What operators reach under the Functions host: the manage function behind its key (and the token when one is
/// configured), stats, metrics, and the client address the host's proxy hands over.</summary>
public sealed class WhenOperatingThroughTheHost
{
    [Fact]
    public async Task TheManageFunctionNeedsTheFunctionKeyAndAdminIsNoRoute()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(HttpMethod.Post, "/manage/passkeys", null, null)).Status);

        var created = await app.Client.SendAsync(HttpMethod.Post, $"/manage/passkeys?code={FunctionAppUnderTest.FunctionKey}", null, null);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Matches("^[0-9a-f]{32}$", created.Body!["passkey"]!.GetValue<string>());

        // The host keeps /admin for its own API: no function of ours claims it, so nothing of the tracker answers there.
        Assert.Equal(HttpStatusCode.NotFound, (await app.Client.SendAsync(HttpMethod.Get, $"/admin/passkeys?code={FunctionAppUnderTest.FunctionKey}", null, null)).Status);
    }

    [Fact]
    public async Task AConfiguredTokenIsRequiredOnTopOfTheKey()
    {
        await using var app = await FunctionAppUnderTest.StartAsync(AdminApi.Settings());
        var path = $"/manage/passkeys?code={FunctionAppUnderTest.FunctionKey}";
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Client.SendAsync(HttpMethod.Get, path, null, null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await app.Client.SendAsync(HttpMethod.Get, path)).Status);
    }

    [Theory]
    [InlineData("/announce/..%2F..%2Fmanage/passkeys")]
    [InlineData("/announce/%2e%2e/manage/passkeys")]
    [InlineData("/scrape/../manage/settings")]
    [InlineData("/stats/../manage/settings")]
    [InlineData("/stats/..%2Fmanage%2Fpasskeys")]
    public async Task NoAnonymousRouteLeadsIntoTheAdminApi(string target)
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        await app.Client.SendAsync(HttpMethod.Post, $"/manage/passkeys?code={FunctionAppUnderTest.FunctionKey}", null, null);
        var (status, body) = await ServerlessTracker.Http.Tests.Support.RawHttp.SendAsync(app.BaseV4, "GET", target);
        var text = Encoding.UTF8.GetString(body);
        Assert.DoesNotContain("passkey\"", text);
        Assert.DoesNotContain("\"swarm\"", text);
        Assert.True(status is 200 or 400 or 401 or 403 or 404, $"{target}: {status} {text}");
    }

    [Fact]
    public async Task TheCommandLineToolManagesTheTrackerWithTheFunctionKey()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        var environment = new Dictionary<string, string>
        {
            [AdminCli.UrlVariable] = app.BaseV4.ToString(),
            [AdminCli.FunctionKeyVariable] = FunctionAppUnderTest.FunctionKey,
        };
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await AdminCli.RunAsync(["passkey", "create", "--name", "hosted"], output, error, name => environment.GetValueOrDefault(name));
        Assert.True(exit == 0, error.ToString());
        Assert.Matches(@"passkey\s+[0-9a-f]{32}", output.ToString());
    }

    [Fact]
    public async Task TheClientIsTheAddressTheFrontEndNamesNotOneTheClientClaims()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        var hash = Hash(23);
        await SendAsync(app, AnnounceUrl(hash, 1, port: 7001), frontEndSays: "203.0.113.77:1234", clientForges: "192.0.2.1");
        var answer = await app.Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1));
        Assert.Equal(["203.0.113.77:7001"], answer.Peers4());
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, answer["external ip"]!.Bytes);
    }

    [Fact]
    public async Task TheStatsPageAndItsJsonAreServed()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        await app.Client.GetBencodeAsync(AnnounceUrl(Hash(61), 1));

        using var page = await app.Client.GetAsync("/stats");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.StartsWith("text/html", page.Content.Headers.ContentType!.ToString());
        // The history charts are there from the start, empty until the first minute's sample.
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<svg id=\"chart-announces\" role=\"img\"", html);
        Assert.Contains("id=\"history\" data-scope=\"instance\"", html);

        foreach (var path in new[] { "/stats.json", "/stats/json" })
        {
            using var json = await app.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, json.StatusCode);
            var stats = System.Text.Json.Nodes.JsonNode.Parse(await json.Content.ReadAsStringAsync())!;
            Assert.True(stats.AsObject().Count > 0, path);
            Assert.Equal(60, stats["history"]!["minutes"]!.GetValue<int>());
            Assert.NotNull(stats["history"]!["samples"]!.AsArray());
        }

        using var unknown = await app.Client.GetAsync("/stats/other");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task MetricsAreServedBehindTheFunctionKey()
    {
        await using var app = await FunctionAppUnderTest.StartAsync(new Dictionary<string, string?> { ["Tracker:Metrics:Prometheus"] = "true" });
        await app.Client.GetBencodeAsync(AnnounceUrl(Hash(62), 1));
        using var refused = await app.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("x-functions-key", FunctionAppUnderTest.FunctionKey);
        using var metrics = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.Contains("tracker_announces", await metrics.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AClientSentInvocationIdFailsThatRequestAloneAndStoresNothing()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        using var forged = new HttpRequestMessage(HttpMethod.Get, AnnounceUrl(Hash(63), 1, port: 7001));
        forged.Headers.Add("x-ms-invocation-id", Guid.NewGuid().ToString());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var stalled = app.Client.SendAsync(forged);

        // The host adds its own id with TryAdd, so the forged one wins and the worker waits for an invocation that never
        // comes; everyone else is served meanwhile.
        Assert.Null((await app.Client.GetBencodeAsync(AnnounceUrl(Hash(64), 2))).Failure());
        Assert.False(stalled.IsCompleted);

        using var response = await stalled;
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(40));
        var counts = (await app.Client.GetBencodeAsync(ScrapeUrl(Hash(63))))["files"]!.Find(Hash(63))!;
        Assert.Equal(0, counts["complete"]!.Integer + counts["incomplete"]!.Integer);
    }

    private static async Task SendAsync(FunctionAppUnderTest app, string url, string frontEndSays, string clientForges)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(FunctionAppUnderTest.ClientAddressHeader, frontEndSays);
        request.Headers.Add("X-Forwarded-For", clientForges);
        request.Headers.Add("client-ip", clientForges);
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
