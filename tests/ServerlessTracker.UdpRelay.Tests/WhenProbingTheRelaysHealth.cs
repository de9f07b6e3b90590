using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.UdpRelay.Hosting;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The relay's optional HTTP side port (<c>Relay:Health</c>): off by default; when on, the same <c>/health</c> and
/// <c>/health/ready</c> as the HTTP front doors, over the relay's own store.</summary>
public sealed class WhenProbingTheRelaysHealth
{
    [Fact]
    public async Task NoPortIsOpenedUnlessAsked()
    {
        await using var relay = await RelayHost.StartAsync();

        Assert.Equal(0, relay.Services.GetRequiredService<RelayHealthServer>().Port);
    }

    [Fact]
    public async Task TheSidePortServesLivenessAndReadinessAndNothingElse()
    {
        await using var relay = await RelayHost.StartAsync(HealthOn());
        using var client = Client(relay);

        using var live = await client.GetAsync(new Uri("/health", UriKind.Relative));
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri("/health/ready", UriKind.Relative)));
        using var other = await client.GetAsync(new Uri("/announce", UriKind.Relative));
        var ready = await ReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("ok\n", await live.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "in memory"), ready);
    }

    [Fact]
    public async Task ReadinessFollowsTableStorageDownAndBack()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var settings = azurite.TrackerTables(failFast: true);
        foreach (var (key, value) in HealthOn())
        {
            settings[key] = value;
        }

        await using var relay = await RelayHost.StartAsync(settings);
        using var client = Client(relay);
        Assert.Equal((HttpStatusCode.OK, "Table Storage answered"), await PollAsync(client, HttpStatusCode.OK));

        await azurite.StopAsync();
        var down = await PollAsync(client, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.Status);
        Assert.StartsWith("Table Storage not reachable", down.Store, StringComparison.Ordinal);

        await azurite.StartAgainAsync();
        Assert.Equal((HttpStatusCode.OK, "Table Storage answered"), await PollAsync(client, HttpStatusCode.OK));
    }

    private static Dictionary<string, string?> HealthOn() => new()
    {
        ["Relay:Health:Port"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Relay:Health:Address"] = "127.0.0.1",
    };

    private static HttpClient Client(RelayHost relay)
    {
        var port = relay.Services.GetRequiredService<RelayHealthServer>().Port;
        Assert.NotEqual(0, port);
        return new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
    }

    private static async Task<(HttpStatusCode Status, string? Store)> PollAsync(HttpClient client, HttpStatusCode until)
    {
        var clock = Stopwatch.StartNew();
        var ready = await ReadyAsync(client);
        while (ready.Status != until && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(200);
            ready = await ReadyAsync(client);
        }

        return ready;
    }

    private static async Task<(HttpStatusCode Status, string? Store)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, body.RootElement.GetProperty("checks").GetProperty("store").GetString());
    }

    private static int FreePort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
