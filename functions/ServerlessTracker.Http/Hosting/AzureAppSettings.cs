using ServerlessTracker.Http.Options;
using ServerlessTracker.Http.Scrape;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Http.Hosting;

/// <summary>The app settings (environment variables) the function app reads in Azure: its contract with infra/app/api.bicep.</summary>
/// <remarks>
/// tests/ServerlessTracker.Infra.Tests holds the Bicep to this class: every <see cref="Required"/> name must be set
/// there, every tracker setting the Bicep sets must be named here, and no <see cref="NotInAzure"/> name may be set.
/// When the code starts reading a setting in Azure, add it here; build names from the options class with
/// <see cref="EnvironmentName"/> where the class is in reach, so a renamed property breaks the tests, not the deployment.
/// </remarks>
public static class AzureAppSettings
{
    /// <summary>The app setting holding the purge timer's NCRONTAB schedule (6 fields, UTC). The function app's trigger
    /// names it, <c>[TimerTrigger("%" + AzureAppSettings.PurgeSchedule + "%")]</c>, and the Functions host resolves it
    /// when it indexes the functions: without it the purge function does not load.</summary>
    public const string PurgeSchedule = "PurgeSchedule";

    /// <summary>What the Bicep (parameter purgeSchedule) and local.settings.example.json give <see cref="PurgeSchedule"/>:
    /// at second 0 of every minute.</summary>
    public const string DefaultPurgeSchedule = "0 */1 * * * *";

    /// <summary>Set in every region by the Bicep.</summary>
    public static readonly IReadOnlyList<string> Required =
    [
        // Telemetry: the OpenTelemetry exporter (issue 6); App Insights local auth is off, so it needs a token credential too,
        // which it builds from the host's own APPLICATIONINSIGHTS_AUTHENTICATION_STRING (ClientId=...;Authorization=AAD).
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        // DefaultAzureCredential picks the region's user-assigned identity by this client id.
        "AZURE_CLIENT_ID",
        EnvironmentName("Tracker", nameof(RegionOptions.Region)),
        "Tracker__Tables__ServiceUri",
        // The Table store's explicit identity (it falls back to AZURE_CLIENT_ID when unset; set anyway so the
        // store's identity is visible in the app's configuration).
        "Tracker__Tables__ManagedIdentityClientId",
        // The full scrape the purge publishes and every instance serves, with the same identity.
        EnvironmentName(FullScrapeBlobOptions.Section, nameof(FullScrapeBlobOptions.ServiceUri)),
        // Published with Entra ID: the topic has keys disabled.
        EnvironmentName(SyncOptions.Section, nameof(SyncOptions.TopicEndpoint)),
        "Tracker__Private__Enabled",
        PurgeSchedule,
        // Announce URLs printed for new passkeys: https on the public host name (Front Door's or the app's). Without it they
        // would say what the worker sees, plain http to the host's loopback address.
        EnvironmentName(AdminOptions.Section, nameof(AdminOptions.PublicUrl)),
    ];

    /// <summary>Set only when a deployment parameter asks for it. <c>{n}</c> stands for a list index (0, 1, ...).</summary>
    public static readonly IReadOnlyList<string> Optional =
    [
        // Behind Front Door: X-Azure-SocketIP names the client.
        EnvironmentName(NetworkOptions.Section, nameof(NetworkOptions.ClientIpHeader)),
        // Extra proxies (trustedProxies parameter); the host's loopback is trusted without it.
        EnvironmentName(NetworkOptions.Section, nameof(NetworkOptions.TrustedProxies)) + "__{n}",
    ];

    /// <summary>Never set in Azure: secrets replaced there by the managed identity or by Functions keys.</summary>
    public static readonly IReadOnlyList<string> NotInAzure =
    [
        // Azurite and account keys: Azure uses ServiceUri with the identity.
        "Tracker__Tables__ConnectionString",
        EnvironmentName(FullScrapeBlobOptions.Section, nameof(FullScrapeBlobOptions.ConnectionString)),
        // Event Grid access keys are disabled on the topics: Entra ID only.
        EnvironmentName(SyncOptions.Section, nameof(SyncOptions.TopicKey)),
        // Other regions' Event Grid subscriptions deliver to the `syncevents` webhook (/sync/events), authLevel function:
        // the host checks the function key in the subscription URL (?code=, made by tools/hooks/sync-subscriptions.sh)
        // before the request reaches the worker. The receiver key is the self-hosted server's own check.
        EnvironmentName(SyncOptions.Section, nameof(SyncOptions.ReceiverKey)),
        // Admin endpoints use function keys (authLevel function) under the host.
        "Tracker__Admin__Token",
    ];

    /// <summary>The environment variable for a configuration key: <c>Tracker:Network</c> + <c>ClientIpHeader</c> → <c>Tracker__Network__ClientIpHeader</c>.</summary>
    public static string EnvironmentName(string section, string key) =>
        section.Replace(":", "__", StringComparison.Ordinal) + "__" + key;
}
