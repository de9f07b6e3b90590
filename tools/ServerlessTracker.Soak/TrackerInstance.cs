using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using ServerlessTracker.Http.Hosting;

namespace ServerlessTracker.Soak;

/// <summary>One instance of the real app (TrackerApp, as Program runs it) on a fixed loopback port, restartable in place.</summary>
public sealed class TrackerInstance(string name, int port) : IAsyncDisposable
{
    private WebApplication? _app;

    public string Name { get; } = name;

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}");

    public bool IsRunning => _app is not null;

    public async Task StartAsync(IDictionary<string, string?> settings)
    {
        var args = new List<string> { "--urls", BaseAddress.ToString().TrimEnd('/') };
        args.AddRange(settings.Select(s => $"--{s.Key}={s.Value}"));
        var app = TrackerApp.Build([.. args]);
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
