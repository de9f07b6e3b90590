using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.UdpRelay.Hosting;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The real relay program (same registration as Program.cs) on free loopback ports.</summary>
public sealed class RelayHost : IAsyncDisposable
{
    private readonly IHost _host;

    private RelayHost(IHost host)
    {
        _host = host;
        var server = host.Services.GetRequiredService<UdpRelayServer>();
        IPv4 = server.LocalEndPoints.Single(e => e.AddressFamily == AddressFamily.InterNetwork);
        IPv6 = server.LocalEndPoints.Single(e => e.AddressFamily == AddressFamily.InterNetworkV6);
    }

    public IPEndPoint IPv4 { get; }

    public IPEndPoint IPv6 { get; }

    public IServiceProvider Services => _host.Services;

    public static async Task<RelayHost> StartAsync(
        IDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        Func<IServiceProvider, ISwarmStore>? store = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Relay:Port"] = "0",
            ["Relay:Addresses"] = "127.0.0.1,::1",
            ["Relay:ReceiveLoops"] = "2",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        if (store is not null)
        {
            builder.Services.AddSingleton(store);
        }

        builder.Services.AddUdpRelay(builder.Configuration);
        builder.Services.AddSwarmStore(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new RelayHost(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
