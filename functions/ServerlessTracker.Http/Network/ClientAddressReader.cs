using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Network;

/// <summary>Reads a request's client address with the configured proxy trust (see <see cref="ClientAddressResolver"/>).</summary>
/// <remarks>
/// Which front-end header names the client (<see cref="ClientIpHeader"/>):
/// <list type="bullet">
/// <item>one the operator named (<c>Tracker:Network:ClientIpHeader</c>): believed from every trusted proxy;</item>
/// <item>none named, under the Functions host: App Service's <c>client-ip</c>, which its front end overwrites, believed only
/// when the connection comes from the loopback (the host's proxy), never from another trusted proxy;</item>
/// <item>none named, self-hosted: none. Behind an operator's own reverse proxy only <c>X-Forwarded-For</c> counts, read from
/// the right: a proxy that passes a client's own <c>client-ip</c> on unchanged cannot make the tracker believe it.</item>
/// </list>
/// </remarks>
public sealed class ClientAddressReader
{
    private const string ForwardedForHeader = "X-Forwarded-For";

    private readonly TrustedProxies _trusted;

    public ClientAddressReader(TrustedProxies trusted, IOptions<NetworkOptions> options, FunctionsHost host)
    {
        _trusted = trusted;
        var named = options.Value.ClientIpHeader;
        ClientIpHeader = named ?? (host.IsHosted ? NetworkOptions.PlatformClientIpHeader : string.Empty);
        ClientIpHeaderFromLoopbackOnly = named is null;
        UseForwardedFor = options.Value.UseForwardedFor;
    }

    /// <summary>The front-end header naming the client; empty when none is read.</summary>
    public string ClientIpHeader { get; }

    /// <summary>True when <see cref="ClientIpHeader"/> is the platform's (the Functions host's <c>client-ip</c>), believed only on
    /// a loopback connection; false when the operator named it (believed from every trusted proxy).</summary>
    public bool ClientIpHeaderFromLoopbackOnly { get; }

    /// <summary>Whether <c>X-Forwarded-For</c> is read.</summary>
    public bool UseForwardedFor { get; }

    public IPAddress Read(HttpContext context)
    {
        var remote = Connection(context.Connection.RemoteIpAddress);
        if (!BelievesHeadersFrom(remote))
        {
            return remote;
        }

        var headers = context.Request.Headers;
        string? clientIp = ReadsClientIpHeaderFrom(remote) ? headers[ClientIpHeader].ToString() : null;
        var forwardedFor = UseForwardedFor ? headers[ForwardedForHeader] : default;
        return Resolve(remote, clientIp, forwardedFor);
    }

    /// <summary>The connection's address as the rules see it: IPv4-mapped IPv6 as IPv4.</summary>
    public static IPAddress Connection(IPAddress? remote)
    {
        remote ??= IPAddress.IPv6None;
        return remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
    }

    /// <summary>Whether forwarded headers on a connection from <paramref name="remote"/> are read at all; when not, the remote is the client.</summary>
    public bool BelievesHeadersFrom(IPAddress remote) => !_trusted.IsEmpty && _trusted.Contains(remote);

    /// <summary>Whether <see cref="ClientIpHeader"/> is read on a connection from <paramref name="remote"/> (a trusted proxy).</summary>
    public bool ReadsClientIpHeaderFrom(IPAddress remote) =>
        ClientIpHeader.Length > 0 && (!ClientIpHeaderFromLoopbackOnly || IPAddress.IsLoopback(remote));

    /// <summary>Applies the rule to headers read by any transport (values of one header repeated are joined with commas for
    /// <paramref name="clientIp"/>, which the caller passes only when <see cref="ReadsClientIpHeaderFrom"/> says so).</summary>
    public IPAddress Resolve(IPAddress remote, string? clientIp, StringValues forwardedFor) =>
        ClientAddressResolver.Resolve(remote, clientIp, forwardedFor, _trusted);
}
