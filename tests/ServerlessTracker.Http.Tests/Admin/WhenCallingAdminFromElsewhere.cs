using System.Net;
using System.Net.Http.Headers;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Admin;

/// <summary>Self-hosted, the admin API answers only clients on the loopback unless <c>Tracker:Admin:LoopbackOnly</c> is false.
/// A remote client is played by a trusted proxy on the loopback forwarding for it (the client address rule decides).</summary>
public sealed class WhenCallingAdminFromElsewhere
{
    private const string Remote = "203.0.113.50";

    [Fact]
    public async Task ARemoteClientWithTheRightTokenIsRefusedByDefault()
    {
        await using var tracker = await StartAsync();
        var (status, body) = await GetPasskeysAsync(tracker, forwardedFor: Remote);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("LoopbackOnly", body);
        Assert.Equal(HttpStatusCode.OK, (await GetPasskeysAsync(tracker, forwardedFor: null)).Status);
    }

    [Fact]
    public async Task ARemoteClientIsServedWhenLoopbackOnlyIsOff()
    {
        await using var tracker = await StartAsync(("Tracker:Admin:LoopbackOnly", "false"));
        Assert.Equal(HttpStatusCode.OK, (await GetPasskeysAsync(tracker, forwardedFor: Remote)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetPasskeysAsync(tracker, forwardedFor: Remote, token: "wrong")).Status);
    }

    [Fact]
    public async Task TheSettingsSayWhetherOnlyTheLoopbackIsServed()
    {
        await using var tracker = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/settings");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminApi.Token);
        using var response = await tracker.Client.SendAsync(request);
        var json = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(json["admin"]!["loopbackOnly"]!.GetValue<bool>());
    }

    private static Task<RunningTracker> StartAsync(params (string Key, string? Value)[] more)
    {
        var settings = AdminApi.Settings(more);
        settings["Tracker:Network:TrustedProxies:0"] = "127.0.0.1";
        return RunningTracker.StartAsync(settings, ipv6: false);
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetPasskeysAsync(RunningTracker tracker, string? forwardedFor, string token = AdminApi.Token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/passkeys");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await tracker.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
