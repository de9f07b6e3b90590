using System.Net;
using Microsoft.Extensions.Options;
using ServerlessTracker.Functions.Options;

namespace ServerlessTracker.Functions.Network;

/// <summary>Reads a request's client address with the configured proxy trust (see <see cref="ClientAddressResolver"/>).</summary>
public sealed class ClientAddressReader(TrustedProxies trusted, IOptions<NetworkOptions> options)
{
    private readonly string _clientIpHeader = options.Value.ClientIpHeader;
    private readonly bool _useForwardedFor = options.Value.UseForwardedFor;

    public IPAddress Read(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress ?? IPAddress.IPv6None;
        if (remote.IsIPv4MappedToIPv6)
        {
            remote = remote.MapToIPv4();
        }

        if (trusted.IsEmpty)
        {
            return remote;
        }

        var headers = context.Request.Headers;
        string? clientIp = _clientIpHeader.Length > 0 ? headers[_clientIpHeader].ToString() : null;
        var forwardedFor = _useForwardedFor ? headers["X-Forwarded-For"] : default;
        return ClientAddressResolver.Resolve(remote, clientIp, forwardedFor, trusted);
    }
}
