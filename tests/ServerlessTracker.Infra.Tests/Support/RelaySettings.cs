namespace ServerlessTracker.Infra.Tests.Support;

/// <summary>The settings the UDP relay reads in Azure, as infra/app/relay.bicep must set them.</summary>
/// <remarks>Interim home: the relay project (issue 4, branch udp) is not on main yet. Once it is, move this list
/// next to its options (functions/ServerlessTracker.UdpRelay/Hosting) the way AzureAppSettings sits in the function
/// app, reference the project from this test project, and build the names from RelayOptions.</remarks>
public static class RelaySettings
{
    public static readonly IReadOnlyList<string> Required =
    [
        "Relay__Port",
        // The HTTP side port for health probes (Traffic Manager's, and the container's liveness probe).
        "Relay__Health__Port",
        "Relay__ConnectionIdKey",
        // The same store, region, sync topic, identity, private mode and telemetry as the region's function app.
        "AZURE_CLIENT_ID",
        "Tracker__Tables__ServiceUri",
        "Tracker__Tables__ManagedIdentityClientId",
        "Tracker__Region",
        "Tracker__Sync__TopicEndpoint",
        "Tracker__Private__Enabled",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
    ];
}
