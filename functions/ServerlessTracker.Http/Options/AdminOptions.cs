namespace ServerlessTracker.Http.Options;

/// <summary>The admin API (configuration section <c>Tracker:Admin</c>; env vars <c>Tracker__Admin__Token</c>).</summary>
/// <remarks>
/// Standalone, <c>/admin/...</c> answers only requests bearing <see cref="Token"/> (<c>Authorization: Bearer</c>);
/// with no token configured it answers 403 to everything. Under the Functions host the API is the
/// <c>manage</c> function (<c>/manage/...</c>, <c>authLevel: function</c>: the host checks the function key before
/// it forwards a request), and a configured token is required on top of the key. Self-hosted, the API also answers only
/// requests from the machine itself unless <see cref="LoopbackOnly"/> is false.
/// </remarks>
public sealed class AdminOptions
{
    public const string Section = "Tracker:Admin";

    /// <summary>The admin bearer token. A secret: set it from the environment or a key vault reference, never in a file
    /// in the repository. At least 32 characters (for example <c>openssl rand -hex 32</c>); a shorter one fails the start.
    /// Default none (admin API closed standalone).</summary>
    public string? Token { get; set; }

    /// <summary>The tracker's public base URL (<c>https://tracker.example.com</c>), used to print announce URLs for new passkeys.
    /// Default none: the URL the admin request came to.</summary>
    public Uri? PublicUrl { get; set; }

    /// <summary>Serve the admin API only to clients on the loopback (the client address as <c>Tracker:Network</c> resolves it,
    /// so a request forwarded by a trusted proxy on the same machine counts as the client it forwards); others get 403. Default:
    /// true self-hosted, so a token that leaks is no use from elsewhere (run <c>st-admin</c> on the tracker's machine, or
    /// through an SSH tunnel); false under the Functions host, whose function key guards <c>/manage</c> and whose clients are
    /// never on the worker's loopback. Set false to manage a self-hosted tracker from other machines.</summary>
    public bool? LoopbackOnly { get; set; }
}
