namespace ServerlessTracker.Http.Options;

/// <summary>The admin API (configuration section <c>Tracker:Admin</c>; env vars <c>Tracker__Admin__Token</c>).</summary>
/// <remarks>
/// Standalone, <c>/admin/...</c> answers only requests bearing <see cref="Token"/> (<c>Authorization: Bearer</c>);
/// with no token configured it answers 403 to everything. Under the Functions host the API is the
/// <c>manage</c> function (<c>/manage/...</c>, <c>authLevel: function</c>: the host checks the function key before
/// it forwards a request), and a configured token is required on top of the key.
/// </remarks>
public sealed class AdminOptions
{
    public const string Section = "Tracker:Admin";

    /// <summary>The admin bearer token. A secret: set it from the environment or a key vault reference, never in a file
    /// in the repository. Use 32 random bytes or more (for example <c>openssl rand -hex 32</c>). Default none (admin API closed standalone).</summary>
    public string? Token { get; set; }

    /// <summary>The tracker's public base URL (<c>https://tracker.example.com</c>), used to print announce URLs for new passkeys.
    /// Default none: the URL the admin request came to.</summary>
    public Uri? PublicUrl { get; set; }
}
