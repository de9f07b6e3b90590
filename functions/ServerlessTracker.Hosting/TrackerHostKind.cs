namespace ServerlessTracker.Hosting;

/// <summary>Which front door a process is: it decides defaults that differ between hosts (who runs the purge, say).</summary>
public enum TrackerHostKind
{
    /// <summary>The self-hosted HTTP server: Kestrel, fast path, listener, an in-process purge timer.</summary>
    SelfHosted,

    /// <summary>The function app under the Functions host: its <c>purge</c> timer trigger purges.</summary>
    FunctionApp,

    /// <summary>The UDP relay: purges an in-memory store itself; a Table store is the function app's to purge.</summary>
    UdpRelay,
}
