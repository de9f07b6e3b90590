namespace ServerlessTracker.Http.Options;

/// <summary>How the client's address is found behind proxies (configuration section <c>Tracker:Network</c>).</summary>
public sealed class NetworkOptions
{
    public const string Section = "Tracker:Network";

    /// <summary>Addresses or CIDR ranges of proxies whose forwarded headers are believed (for example
    /// <c>10.0.0.0/8</c>). Empty by default; under the Functions host the loopback is added, since the
    /// host forwards every request from there.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>A header holding the client address, set by a trusted front end that overwrites any
    /// client-sent value (App Service's <c>client-ip</c>). Read before <c>X-Forwarded-For</c>. Default <c>client-ip</c>;
    /// empty to ignore.</summary>
    public string ClientIpHeader { get; set; } = "client-ip";

    /// <summary>Read <c>X-Forwarded-For</c> (rightmost hop that is not a trusted proxy). Default true.</summary>
    public bool UseForwardedFor { get; set; } = true;
}
