namespace ServerlessTracker.Http.Tests.Support;

/// <summary>A running tracker the HTTP contract tests talk to: the self-hosted server here, the function app under the
/// emulated Functions host in ServerlessTracker.FunctionApp.Tests.</summary>
public interface ITrackerUnderTest : IAsyncDisposable
{
    /// <summary>A client whose base address is <see cref="BaseV4"/>.</summary>
    HttpClient Client { get; }

    Uri BaseV4 { get; }

    Uri? BaseV6 { get; }

    /// <summary>True when a Functions host stands in front (routes and methods are the host's to refuse).</summary>
    bool ThroughFunctionsHost { get; }
}
