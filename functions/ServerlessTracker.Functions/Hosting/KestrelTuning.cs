using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ServerlessTracker.Functions.Hosting;

/// <summary>Kestrel settings chosen for a tracker: tiny GET requests, many short connections.</summary>
public static class KestrelTuning
{
    public static void Apply(KestrelServerOptions options)
    {
        // Trackers answer bots and clients, not browsers: no Server header, and limits sized to announces.
        options.AddServerHeader = false;
        // Room for the largest accepted query (Tracker:Http:MaxQueryLength, at most 16 KiB) plus the path.
        options.Limits.MaxRequestLineSize = 17 * 1024;
        options.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        options.Limits.MaxRequestHeaderCount = 50;
        options.Limits.MaxRequestBodySize = 1024 * 1024;
        options.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);
        options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
    }
}
