using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Network;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Decides whether an admin request may proceed: bearer token, and under the Functions host its function key.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>A token is configured: the request must bear it (<c>Authorization: Bearer</c>), wherever it comes from; else 401.</item>
/// <item>No token, under the Functions host, on <c>/manage/...</c>: allowed. The host forwards a request to that route only
/// after checking its function key (<c>manage/function.json</c> has <c>authLevel: function</c>), and Kestrel listens on the
/// loopback only, so nothing reaches it but the host. The host normalises paths before it routes, so no anonymous
/// route is forwarded as <c>/manage</c>; and a request whose path Kestrel had to normalise here (dot segments,
/// escapes) is not trusted at all, whatever sent it.</item>
/// <item>Otherwise (standalone without a token, or <c>/admin</c> under the host): 403, the admin API is closed.</item>
/// </list>
/// Before all that, with <see cref="AdminOptions.LoopbackOnly"/> in force (self-hosted by default), a client that is not on
/// the loopback (as <see cref="ClientAddressReader"/> resolves it) gets 403 whatever it bears.
/// Tokens are compared as SHA-256 digests with <see cref="CryptographicOperations.FixedTimeEquals"/>: constant time, and
/// the token's length is not revealed either.
/// </remarks>
public sealed class AdminAuthorization
{
    private readonly byte[]? _tokenDigest;
    private readonly bool _hosted;
    private readonly ClientAddressReader _addresses;

    public AdminAuthorization(IOptions<AdminOptions> options, FunctionsHost host, ClientAddressReader addresses)
    {
        var token = options.Value.Token;
        _tokenDigest = string.IsNullOrEmpty(token) ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
        _hosted = host.IsHosted;
        _addresses = addresses;
        LoopbackOnly = options.Value.LoopbackOnly ?? !host.IsHosted;
    }

    public bool TokenConfigured => _tokenDigest is not null;

    /// <summary>Whether only clients on the loopback are served (<see cref="AdminOptions.LoopbackOnly"/> or its default).</summary>
    public bool LoopbackOnly { get; }

    /// <summary>200 to proceed, or the status to answer: 401 (no or wrong token) or 403 (admin API closed, or not on the loopback).</summary>
    public int Check(HttpContext context, bool behindFunctionKey)
    {
        if (!AllowsClientOf(context))
        {
            return StatusCodes.Status403Forbidden;
        }

        if (_tokenDigest is null)
        {
            return behindFunctionKey && _hosted && IsLiteralTarget(context) ? StatusCodes.Status200OK : StatusCodes.Status403Forbidden;
        }

        return Matches(_tokenDigest, BearerToken(context.Request.Headers.Authorization.ToString()))
            ? StatusCodes.Status200OK
            : StatusCodes.Status401Unauthorized;
    }

    /// <summary>False when <see cref="LoopbackOnly"/> is in force and the client is not on the loopback.</summary>
    public bool AllowsClientOf(HttpContext context) => !LoopbackOnly || IPAddress.IsLoopback(_addresses.Read(context));

    /// <summary>Whether the path was sent as routed: no dot segments or escapes that Kestrel had to resolve. The host
    /// forwards the path it routed on, already normalised, so a request that needed normalising did not come through
    /// the <c>manage</c> function (say, a local process sending <c>/announce/%2e%2e/manage/...</c>) and is not trusted.</summary>
    private static bool IsLiteralTarget(HttpContext context)
    {
        var raw = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return false;
        }

        var question = raw.IndexOf('?');
        var path = question < 0 ? raw.AsSpan() : raw.AsSpan(0, question);
        var routed = context.Request.PathBase.Add(context.Request.Path).Value;
        return path.SequenceEqual(routed);
    }

    /// <summary>Whether <paramref name="presented"/> is the token whose SHA-256 digest is <paramref name="digest"/> (constant time).</summary>
    public static bool Matches(byte[] digest, ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[Encoding.UTF8.GetMaxByteCount(Math.Min(presented.Length, 1024))];
        var length = Encoding.UTF8.GetBytes(presented[..Math.Min(presented.Length, 1024)], bytes);
        Span<byte> presentedDigest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..length], presentedDigest);
        return CryptographicOperations.FixedTimeEquals(digest, presentedDigest);
    }

    /// <summary>The token of an <c>Authorization: Bearer ...</c> header; empty when there is none.</summary>
    public static ReadOnlySpan<char> BearerToken(string header)
    {
        var value = header.AsSpan().Trim();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : default;
    }
}
