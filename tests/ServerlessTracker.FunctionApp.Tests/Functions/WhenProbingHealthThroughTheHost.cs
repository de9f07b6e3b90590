using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>The health functions under the emulated host, anonymous as probes are: in memory, and on Table Storage through an
/// outage (Azurite stopped, then started again on its port).</summary>
public sealed class WhenProbingHealthThroughTheHost
{
    [Fact]
    public async Task BothRoutesAnswerWithoutAKey()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();

        using var live = await app.Client.GetAsync(new Uri("/health", UriKind.Relative));
        using var head = await app.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/health/ready", UriKind.Relative)));
        var ready = await ReadyAsync(app);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("ok\n", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "in memory"), (ready.Status, ready.Store));
    }

    [Fact]
    public async Task ReadinessFollowsTableStorageDownAndBackWhileLivenessStaysOk()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        await using var app = await FunctionAppUnderTest.StartAsync(azurite.TrackerTables(failFast: true));
        Assert.Equal((HttpStatusCode.OK, "Table Storage answered"), await ReadyAsync(app));

        await azurite.StopAsync();
        var ready = await PollAsync(app, until: HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.StartsWith("Table Storage not reachable", ready.Store, StringComparison.Ordinal);
        using (var live = await app.Client.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        await azurite.StartAgainAsync();
        Assert.Equal((HttpStatusCode.OK, "Table Storage answered"), await PollAsync(app, until: HttpStatusCode.OK));
    }

    private static async Task<(HttpStatusCode Status, string? Store)> PollAsync(FunctionAppUnderTest app, HttpStatusCode until)
    {
        var clock = Stopwatch.StartNew();
        var ready = await ReadyAsync(app);
        while (ready.Status != until && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
            ready = await ReadyAsync(app);
        }

        return ready;
    }

    private static async Task<(HttpStatusCode Status, string? Store)> ReadyAsync(FunctionAppUnderTest app)
    {
        using var response = await app.Client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").GetProperty("store").GetString());
    }
}
