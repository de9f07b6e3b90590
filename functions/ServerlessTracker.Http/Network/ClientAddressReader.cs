using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Network;

/// <summary>Reads a request's client address with the configured proxy trust (see <see cref="ClientAddressResolver"/>).</summary>
public sealed class ClientAddressReader(TrustedProxies trusted, IOptions<NetworkOptions> options)
{
    private const string ForwardedForHeader = "X-Forwarded-For";

    /// <summary>The front-end header naming the client (<c>client-ip</c> by default); empty when it is ignored.</summary>
    public string ClientIpHeader { get; } = options.Value.ClientIpHeader;

    /// <summary>Whether <c>X-Forwarded-For</c> is read.</summary>
    public bool UseForwardedFor { get; } = options.Value.UseForwardedFor;

    public IPAddress Read(HttpContext context)
    {
        var remote = Connection(context.Connection.RemoteIpAddress);
        if (!BelievesHeadersFrom(remote))
        {
            return remote;
        }

        var headers = context.Request.Headers;
        string? clientIp = ClientIpHeader.Length > 0 ? headers[ClientIpHeader].ToString() : null;
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
    public bool BelievesHeadersFrom(IPAddress remote) => !trusted.IsEmpty && trusted.Contains(remote);

    /// <summary>Applies the rule to headers read by any transport (values of one header repeated are joined with commas for <paramref name="clientIp"/>).</summary>
    public IPAddress Resolve(IPAddress remote, string? clientIp, StringValues forwardedFor) =>
        ClientAddressResolver.Resolve(remote, clientIp, forwardedFor, trusted);
}
