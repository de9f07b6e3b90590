using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServerlessTracker.Hosting.Health;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Limits;
using ServerlessTracker.Http.Listener;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Builds the self-hosted tracker (Kestrel, the connection fast path, the optional listener, the in-process purge);
/// the Server's Program and the tests share it so both run the same thing.</summary>
public static class TrackerApp
{
    /// <summary>Where the self-hosted tracker listens unless <c>--urls</c> (or <c>ASPNETCORE_URLS</c>) says otherwise.</summary>
    public const string StandaloneUrls = "http://localhost:7071";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root at the executable: the Functions host, a container or a shell may start us from anywhere.
        // Options are read and validated once at start, so a file watcher for appsettings.json would only cost start-up
        // (about a seventh of its CPU, docs/benchmark.md); later arguments, an operator's, still win.
        string[] hostArgs = ["--hostBuilder:reloadConfigOnChange=false", .. args];
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = hostArgs, ContentRootPath = AppContext.BaseDirectory });
        LoggingDefaults.AddTo(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(StandaloneUrls);
        }

        builder.WebHost.ConfigureKestrel(static (context, options) => KestrelTuning.Apply(options, context.Configuration, FunctionsHost.Standalone));
        builder.WebHost.ConfigureKestrel(static kestrel => kestrel.UseTrackerFastPath());
        builder.WebHost.UseSockets(KestrelTuning.Apply);
        builder.Services.AddTracker(builder.Configuration, FunctionsHost.Standalone);
        if ((builder.Configuration.GetSection(TrackerListenerOptions.Section).Get<TrackerListenerOptions>() ?? new()).SharesServerPorts)
        {
            // The tracker listener owns the server's ports and hands Kestrel what it does not answer (docs/listener.md).
            builder.Services.RemoveAll<IConnectionListenerFactory>();
            builder.Services.AddSingleton<KestrelHandoff>();
            builder.Services.AddSingleton<IConnectionListenerFactory>(static sp => sp.GetRequiredService<KestrelHandoff>());
        }

        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapRoot();
        app.MapTrackerHealth();
        app.MapAnnounce();
        app.MapScrape();
        app.MapSyncWebhook(FunctionsHost.Standalone);
        app.MapAdmin();
        app.MapStats();
        app.MapTrackerMetrics();
        return app;
    }
}
