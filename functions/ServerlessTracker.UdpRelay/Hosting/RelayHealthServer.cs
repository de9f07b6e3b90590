using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using ServerlessTracker.Hosting.Health;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Serves <c>/health</c> and <c>/health/ready</c> on <see cref="RelayHealthOptions.Port"/> when it is set: a small
/// Kestrel app of its own (the relay is a generic host, not a web app) whose endpoints run the relay's own readiness checks.</summary>
/// <remarks>Nothing but the two health routes, no server header, small limits: it exists for a prober on the same network.</remarks>
internal sealed partial class RelayHealthServer(IOptions<RelayHealthOptions> options, IServiceProvider services, ILogger<RelayHealthServer> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>The port bound; 0 when the side port is off.</summary>
    public int Port { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = 8 * 1024;
            kestrel.Limits.MaxRequestBodySize = 0;
            kestrel.Listen(IPAddress.Parse(settings.Address), settings.Port);
        });
        // Kestrel's warnings and errors go where the relay logs; a line per probe, and a second "Application started", do not.
        builder.Logging.ClearProviders().AddProvider(new ForwardingLoggerProvider(services.GetRequiredService<ILoggerFactory>())).SetMinimumLevel(LogLevel.Warning);
        // The relay's own lifetime handles Ctrl+C and SIGTERM, and stops this app with the rest.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        app.MapTrackerHealth(services);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        Port = address is null ? settings.Port : new Uri(address).Port;
        LogListening(logger, settings.Address, Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is { } app)
        {
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Health endpoints on http://{Address}:{Port}/health and /health/ready")]
    private static partial void LogListening(ILogger logger, string address, int port);

    private sealed class ForwardingLoggerProvider(ILoggerFactory target) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => target.CreateLogger(categoryName);

        // The relay's factory is the relay's to dispose.
        public void Dispose()
        {
        }
    }

    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
