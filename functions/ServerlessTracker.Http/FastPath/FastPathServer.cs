using System.Net;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Limits;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.FastPath;

/// <summary>The connection fast path for tracker requests: a Kestrel connection middleware that answers plain
/// <c>GET /announce</c> and <c>GET /scrape</c> requests itself, through the same core as Kestrel's endpoints, and hands
/// every other connection to Kestrel's HTTP pipeline untouched.</summary>
/// <remarks>A new connection per announce (how clients reach a self-hosted tracker) costs Kestrel's HTTP layer more than the
/// announce itself (about 11 KB of per-connection objects); the fast path keeps only the socket transport. Connections from
/// the Functions host's proxy are pooled and kept alive, where Kestrel does well: off by default under the host.</remarks>
public sealed class FastPathServer
{
    public FastPathServer(
        AnnounceService announces,
        ScrapeService scrapes,
        ClientAddressReader addresses,
        TrackerRateLimiter rateLimit,
        ObjectPool<ResponseBuffer> buffers,
        IOptions<HttpTrackerOptions> options,
        IOptions<KestrelServerOptions> kestrel,
        FunctionsHost host,
        TimeProvider time,
        FastPathCounters counters)
    {
        Announces = announces;
        Scrapes = scrapes;
        Addresses = addresses;
        RateLimit = rateLimit;
        Buffers = buffers;
        Counters = counters;
        Date = new HttpDateLine(time);
        Enabled = options.Value.FastPath ?? !host.IsHosted;
        GuardsHeads = !host.IsHosted;
        ClientIpHeader = Encoding.ASCII.GetBytes(addresses.ClientIpHeader);

        var limits = kestrel.Value.Limits;
        Limits = new HeadLimits(limits.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize, limits.MaxRequestHeaderCount);
        KeepAliveTimeout = Milliseconds(limits.KeepAliveTimeout);
        RequestHeadersTimeout = Milliseconds(limits.RequestHeadersTimeout);
        MinResponseDataRate = limits.MinResponseDataRate is { } rate ? (Milliseconds(rate.GracePeriod), rate.BytesPerSecond) : null;
    }

    /// <summary><c>Tracker:Http:FastPath</c>, or by default on standalone and off under the Functions host.</summary>
    public bool Enabled { get; }

    /// <summary>Self-hosted: with the fast path off, connections still start in its guard mode (a head timeout that blank
    /// lines and half heads cannot stretch, see <see cref="HandOffRule"/>) and then go to Kestrel.</summary>
    public bool GuardsHeads { get; }

    public AnnounceService Announces { get; }

    public ScrapeService Scrapes { get; }

    public ClientAddressReader Addresses { get; }

    /// <summary>The per-address budgets, shared with the rate limiter middleware in front of Kestrel's endpoints.</summary>
    public TrackerRateLimiter RateLimit { get; }

    public ObjectPool<ResponseBuffer> Buffers { get; }

    public FastPathCounters Counters { get; }

    public HttpDateLine Date { get; }

    public HeadLimits Limits { get; }

    /// <summary>The client-address header in force as ASCII bytes (empty: ignored); see <see cref="ClientAddressReader.ReadsClientIpHeaderFrom"/>.</summary>
    public byte[] ClientIpHeader { get; }

    /// <summary>Kestrel's KeepAliveTimeout, in milliseconds: the wait for a request's first byte.</summary>
    public long KeepAliveTimeout { get; }

    /// <summary>Kestrel's RequestHeadersTimeout, in milliseconds: the wait for a whole head once its first byte came.</summary>
    public long RequestHeadersTimeout { get; }

    /// <summary>Kestrel's MinResponseDataRate (grace in milliseconds, bytes per second); null when off.</summary>
    public (long GraceMilliseconds, double BytesPerSecond)? MinResponseDataRate { get; }

    /// <summary>Behind a trusted proxy: the same rule and headers as <see cref="ClientAddressReader.Read"/>, read from a head the parser accepted.</summary>
    public IPAddress ForwardedClient(IPAddress remote, ReadOnlySpan<byte> head)
    {
        var clientIp = Addresses.ReadsClientIpHeaderFrom(remote) ? HeaderValues.Find(head, ClientIpHeader).ToString() : null;
        var forwardedFor = Addresses.UseForwardedFor ? HeaderValues.Find(head, "X-Forwarded-For"u8) : default;
        return Addresses.Resolve(remote, clientIp, forwardedFor);
    }

    /// <summary>Wraps Kestrel's connection pipeline: a connection from an IP endpoint starts on the fast path (its timeouts
    /// need Kestrel's heartbeat: without one the connection goes straight to Kestrel).</summary>
    /// <param name="serves">False for the guard mode: every request goes to Kestrel once it can be answered at once.</param>
    public ConnectionDelegate Wrap(ConnectionDelegate next, bool serves = true) =>
        connection => connection.RemoteEndPoint is IPEndPoint remote && connection.Features.Get<IConnectionHeartbeatFeature>() is { } heartbeat
            ? new FastPathConnection(this, connection, remote.Address, heartbeat, serves).ServeAsync(next)
            : next(connection);

    private static long Milliseconds(TimeSpan span) =>
        span < TimeSpan.Zero || span > TimeSpan.FromDays(365) ? long.MaxValue / 4 : (long)span.TotalMilliseconds;
}
