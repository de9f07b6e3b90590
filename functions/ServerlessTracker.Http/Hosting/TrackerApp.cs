using ServerlessTracker.Hosting.Health;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Limits;

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
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        LoggingDefaults.AddTo(builder.Configuration);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(StandaloneUrls);
        }

        builder.WebHost.ConfigureKestrel(static (context, options) => KestrelTuning.Apply(options, context.Configuration, FunctionsHost.Standalone));
        builder.WebHost.ConfigureKestrel(static kestrel => kestrel.UseTrackerFastPath());
        builder.WebHost.UseSockets(KestrelTuning.Apply);
        builder.Services.AddTracker(builder.Configuration, FunctionsHost.Standalone);
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
