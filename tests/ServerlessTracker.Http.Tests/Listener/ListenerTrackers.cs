using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using ServerlessTracker.Http.Listener;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>The real app with its tracker listener on a free loopback port (Port 0 means off, so the test picks one).</summary>
internal static class ListenerTrackers
{
    public static async Task<RunningTracker> StartAsync(Dictionary<string, string?>? settings = null, string address = "127.0.0.1", Action<WebApplicationBuilder>? configure = null)
    {
        settings ??= [];
        settings["Tracker:Listener:Port"] = FreePort(address).ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Tracker:Listener:Address"] = address;
        settings.TryAdd("Tracker:Listener:Threads", "2");
        return await RunningTracker.StartAsync(settings, configure, ipv6: false);
    }

    public static Uri ListenerUri(this RunningTracker tracker, string host = "127.0.0.1")
    {
        var port = tracker.Service<TrackerListener>().Port;
        Assert.NotEqual(0, port);
        return new Uri($"http://{host}:{port}/");
    }

    public static ListenerCounters ListenerCounters(this RunningTracker tracker) => tracker.Service<ListenerCounters>();

    /// <summary>Sends <paramref name="request"/> on a new connection and reads the one answer.</summary>
    public static async Task<RawResponse> ExchangeAsync(Uri server, string request)
    {
        await using var connection = await RawConnection.OpenAsync(server);
        await connection.SendAsync(request);
        return await connection.ReadResponseAsync();
    }

    private static int FreePort(string address)
    {
        using var probe = new Socket(IPAddress.Parse(address).AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }
}
