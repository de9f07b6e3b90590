using ServerlessTracker.Http.Tests.Endpoints;

namespace ServerlessTracker.Http.Tests.FastPath;

// The HTTP contract tests again with the fast path switched off: every request through Kestrel's HTTP pipeline.

public sealed class WhenAnnouncingThroughKestrel : WhenAnnouncing
{
    protected override IDictionary<string, string?> Store => new Dictionary<string, string?> { ["Tracker:Http:FastPath"] = "false" };
}

public sealed class WhenScrapingThroughKestrel : WhenScraping
{
    protected override IDictionary<string, string?> Store => new Dictionary<string, string?> { ["Tracker:Http:FastPath"] = "false" };
}

public sealed class WhenBehindProxiesThroughKestrel : Network.WhenBehindProxies
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Tracker:Http:FastPath"] = "false" };
}

public sealed class WhenRunningPrivatelyThroughKestrel : Private.WhenRunningPrivately
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Tracker:Http:FastPath"] = "false" };
}

public sealed class WhenClientsFloodTheTrackerThroughKestrel : Limits.WhenClientsFloodTheTracker
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Tracker:Http:FastPath"] = "false" };
}
