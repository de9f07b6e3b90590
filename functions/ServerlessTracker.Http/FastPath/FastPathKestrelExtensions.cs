using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ServerlessTracker.Http.FastPath;

/// <summary>Puts the tracker fast path in front of Kestrel's HTTP pipeline.</summary>
public static class FastPathKestrelExtensions
{
    /// <summary>On every endpoint that speaks HTTP/1.x (URLs, the Functions host's port, configured endpoints). With
    /// <see cref="FastPathServer.Enabled"/> false it runs in guard mode when self-hosted (<see cref="FastPathServer.GuardsHeads"/>:
    /// it serves nothing but keeps Kestrel from waiting on blank lines and half heads), and under the host Kestrel's pipeline
    /// is left exactly as it was.</summary>
    public static void UseTrackerFastPath(this KestrelServerOptions options) =>
        options.ConfigureEndpointDefaults(static listen => listen.Use(next =>
        {
            // Built when Kestrel binds, after endpoint-specific settings: the protocols are final here.
            var server = listen.ApplicationServices.GetRequiredService<FastPathServer>();
            if ((listen.Protocols & HttpProtocols.Http1) == 0)
            {
                return next;
            }

            return server.Enabled ? server.Wrap(next) : server.GuardsHeads ? server.Wrap(next, serves: false) : next;
        }));
}
