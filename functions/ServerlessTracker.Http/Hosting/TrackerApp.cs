using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Http.FastPath;
using ServerlessTracker.Http.Invocations;
using ServerlessTracker.Http.Limits;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Builds the tracker web app; Program and the tests share it so both run the same thing.</summary>
public static class TrackerApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root at the executable: the Functions host, a container or a shell may start us from anywhere.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        LoggingDefaults.AddTo(builder.Configuration);
        var host = FunctionsHost.FromConfiguration(builder.Configuration);
        host.ConfigureUrls(builder);
        builder.WebHost.ConfigureKestrel(static (context, options) => KestrelTuning.Apply(options, context.Configuration));
        builder.WebHost.ConfigureKestrel(static kestrel => kestrel.UseTrackerFastPath());
        builder.WebHost.UseSockets(KestrelTuning.Apply);
        builder.Services.AddTracker(builder.Configuration, host);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapRoot();
        app.MapAnnounce();
        app.MapScrape();
        app.MapPurgeInvocation();
        app.MapSyncInvocation();
        app.MapSyncWebhook();
        app.MapAdmin();
        app.MapStats();
        app.MapTrackerMetrics();
        return app;
    }
}
