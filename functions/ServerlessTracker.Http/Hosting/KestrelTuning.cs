using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace ServerlessTracker.Http.Hosting;

/// <summary>Kestrel limits chosen for a tracker: tiny GET requests, many short connections, hostile clients.</summary>
/// <remarks>
/// Every value is set on purpose (docs/reliability.md has the table). An operator can still override any of them with
/// Kestrel's own settings (<c>Kestrel:Limits:MaxConcurrentConnections</c>, env <c>Kestrel__Limits__...</c>), which are
/// applied after these.
/// </remarks>
public static class KestrelTuning
{
    /// <summary>Largest request body outside the endpoints that raise it (sync deliveries, invocations): announces and scrapes have none.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>How long a self-hosted client has for a whole request head, from its first byte (blank lines before it
    /// included): one second. The fast path enforces it to the millisecond on every connection's first head, so a client that
    /// stalls mid-head is closed within it; Kestrel, for later heads on a connection it took over, checks it on its heartbeat
    /// with a beat of slack (closed within three seconds).</summary>
    public static readonly TimeSpan StandaloneHeadTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The same under the Functions host, whose proxy forwards whole heads from the loopback.</summary>
    public static readonly TimeSpan HostedHeadTimeout = TimeSpan.FromSeconds(10);

    public static void Apply(KestrelServerOptions options, IConfiguration? configuration, FunctionsHost host)
    {
        // Trackers answer bots and clients, not browsers: no Server header to fingerprint.
        options.AddServerHeader = false;
        var limits = options.Limits;

        // Room for the largest accepted query (Tracker:Http:MaxQueryLength, at most 16 KiB) plus the path; longer lines
        // are refused by Kestrel (414) before any of our code runs.
        limits.MaxRequestLineSize = 17 * 1024;

        // Clients send a handful of short headers, but the App Service front end copies the URL into X-Original-URL (and
        // X-WAWS-Unencoded-URL), so an 8 KiB query can bring 16 KiB of headers: Kestrel's 32 KiB default, set explicitly.
        limits.MaxRequestHeadersTotalSize = 32 * 1024;

        // Client headers plus what the front end, Front Door and the Functions host add (about 30): 64 leaves room, not abuse.
        limits.MaxRequestHeaderCount = 64;

        // Announce and scrape read no body; the sync webhook and invocations raise this per request to what they accept.
        limits.MaxRequestBodySize = MaxRequestBodyBytes;

        // Standalone, each connection is a client; under the Functions host, one per concurrent invocation. Past 10,000
        // new connections are refused at once instead of slowing every connection down (about 10 KB of memory each).
        limits.MaxConcurrentConnections = 10_000;

        // No WebSockets or other upgrades are served.
        limits.MaxConcurrentUpgradedConnections = 0;

        // A request's head must arrive within a second of its first byte self-hosted (slowloris, and clients that send a blank
        // line, garbage or half a head and wait): clients send the whole request in one packet. Ten seconds under the host.
        limits.RequestHeadersTimeout = host.IsHosted ? HostedHeadTimeout : StandaloneHeadTimeout;

        // Longer than the Functions host's idle pooled connections, so Kestrel never closes one the host is about to reuse;
        // BitTorrent clients announce every 30 minutes and rarely reuse a connection anyway.
        limits.KeepAliveTimeout = TimeSpan.FromSeconds(60);

        // Bodies (sync deliveries, invocations) come from Event Grid and the host at LAN speed: 4 KiB/s after a 5 s grace
        // cuts off a client that trickles a body to hold a connection, while any real sender is far faster.
        limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 4096, gracePeriod: TimeSpan.FromSeconds(5));

        // Answers are small except a gzip full scrape: Kestrel's 240 B/s floor after 5 s, set explicitly.
        limits.MinResponseDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(5));

        // The operator's explicit Kestrel:Limits settings win over ours.
        configuration?.GetSection("Kestrel:Limits").Bind(limits);
    }

    public static void Apply(SocketTransportOptions options)
    {
        // An announce is a few microseconds of synchronous work: run it on the socket's I/O thread instead of
        // hopping to a pool thread and back (measured: about a quarter less CPU per announce). Handlers never block.
        options.UnsafePreferInlineScheduling = true;

        // Requests are tiny and answered at once: take the receive buffer with the data instead of parking first.
        options.WaitForDataBeforeAllocatingBuffer = false;
    }
}
