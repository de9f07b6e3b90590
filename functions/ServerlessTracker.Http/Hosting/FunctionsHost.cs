namespace ServerlessTracker.Http.Hosting;

/// <summary>Whether the Azure Functions host drives this process (the isolated worker) or it serves clients itself.</summary>
/// <remarks>
/// Under the host every request arrives from the host's proxy on the loopback, already routed and, on function-key
/// routes (<c>manage</c>, <c>metrics</c>, <c>syncevents</c>), already authorized; the self-hosted server faces clients
/// directly and checks everything itself.
/// </remarks>
public sealed record FunctionsHost(bool IsHosted)
{
    public static readonly FunctionsHost Standalone = new(false);

    public static readonly FunctionsHost Worker = new(true);
}
