using System.Net;
using Microsoft.Extensions.Primitives;

namespace ServerlessTracker.Http.Network;

/// <summary>Finds the client's address from the connection and, only behind trusted proxies, forwarded headers.</summary>
/// <remarks>
/// Rule: if the connection does not come from a trusted proxy, it is the client. Otherwise a
/// front-end header that the platform or the operator's proxy overwrites names the client (which header, and from which
/// connections it is read, is <see cref="ClientAddressReader"/>'s decision: the caller passes it only when it is believed);
/// failing that, <c>X-Forwarded-For</c> is read from the right and the first hop that is not a
/// trusted proxy is the client (hops to its left are client-supplied and worthless). An unreadable
/// hop stops the walk at the last address known good.
/// </remarks>
public static class ClientAddressResolver
{
    public static IPAddress Resolve(IPAddress remote, string? clientIpHeader, StringValues forwardedFor, TrustedProxies trusted)
    {
        if (trusted.IsEmpty || !trusted.Contains(remote))
        {
            return remote;
        }

        // A front end that names another proxy (Front Door in front of App Service) leaves the answer to X-Forwarded-For.
        if (!string.IsNullOrEmpty(clientIpHeader) && TryParseHop(clientIpHeader, out var fromFrontEnd) && !trusted.Contains(fromFrontEnd))
        {
            return fromFrontEnd;
        }

        var candidate = remote;
        for (var v = forwardedFor.Count - 1; v >= 0; v--)
        {
            var value = forwardedFor[v].AsSpan();
            while (!value.IsEmpty)
            {
                var comma = value.LastIndexOf(',');
                var hop = comma < 0 ? value : value[(comma + 1)..];
                value = comma < 0 ? default : value[..comma];
                if (hop.Trim().IsEmpty)
                {
                    continue;
                }

                if (!TryParseHop(hop, out var address))
                {
                    return candidate;
                }

                if (!trusted.Contains(address))
                {
                    return address;
                }

                candidate = address;
            }
        }

        return candidate;
    }

    /// <summary>Reads <c>a.b.c.d</c>, <c>a.b.c.d:port</c>, <c>v6</c> or <c>[v6]:port</c>.</summary>
    public static bool TryParseHop(ReadOnlySpan<char> hop, out IPAddress address)
    {
        hop = hop.Trim();
        if (IPEndPoint.TryParse(hop, out var endpoint))
        {
            address = endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address;
            return true;
        }

        address = IPAddress.None;
        return false;
    }
}
