using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>The tracker's use cases as one value a front door is built on.</summary>
public sealed class TrackerCore(AnnounceUseCase announces, ScrapeUseCase scrapes)
{
    /// <summary>Both use cases over one store, policy and meter.</summary>
    public TrackerCore(ISwarmStore store, AnnouncePolicy policy, SwarmSettings settings, TrackerMetrics metrics)
        : this(new AnnounceUseCase(store, policy, settings, metrics), new ScrapeUseCase(store, policy, metrics))
    {
    }

    public AnnounceUseCase Announces { get; } = announces;

    public ScrapeUseCase Scrapes { get; } = scrapes;
}
