using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ServerlessTracker.Http.FastPath;

/// <summary>Puts the tracker fast path in front of Kestrel's HTTP pipeline.</summary>
public static class FastPathKestrelExtensions
{
    /// <summary>On every endpoint that speaks HTTP/1.x (URLs, the Functions host's port, configured endpoints), unless
    /// <see cref="FastPathServer.Enabled"/> is false, in which case Kestrel's pipeline is left exactly as it was.</summary>
    public static void UseTrackerFastPath(this KestrelServerOptions options) =>
        options.ConfigureEndpointDefaults(static listen => listen.Use(next =>
        {
            // Built when Kestrel binds, after endpoint-specific settings: the protocols are final here.
            var server = listen.ApplicationServices.GetRequiredService<FastPathServer>();
            return server.Enabled && (listen.Protocols & HttpProtocols.Http1) != 0 ? server.Wrap(next) : next;
        }));
}
