namespace ServerlessTracker.Http.Options;

/// <summary>How the client's address is found behind proxies (configuration section <c>Tracker:Network</c>).</summary>
public sealed class NetworkOptions
{
    public const string Section = "Tracker:Network";

    /// <summary>The header App Service's front end sets to the caller's address, overwriting any value the caller sent.</summary>
    public const string PlatformClientIpHeader = "client-ip";

    /// <summary>Addresses or CIDR ranges of proxies whose forwarded headers are believed (for example
    /// <c>10.0.0.0/8</c>). Empty by default; under the Functions host the loopback is added, since the
    /// host forwards every request from there.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>A header holding the client address, set by a trusted front end that overwrites any client-sent value
    /// (<c>X-Real-IP</c> from your nginx, Front Door's <c>X-Azure-SocketIP</c>). Read before <c>X-Forwarded-For</c>, from any
    /// trusted proxy. Default unset: under the Functions host App Service's <c>client-ip</c> (<see cref="PlatformClientIpHeader"/>),
    /// believed only on the host's loopback connection; self-hosted none, so behind your own proxy only
    /// <c>X-Forwarded-For</c> counts (a proxy that passes a client's <c>client-ip</c> on cannot make it believed). Empty: no
    /// header, even under the host.</summary>
    public string? ClientIpHeader { get; set; }

    /// <summary>Read <c>X-Forwarded-For</c> (rightmost hop that is not a trusted proxy). Default true.</summary>
    public bool UseForwardedFor { get; set; } = true;
}
