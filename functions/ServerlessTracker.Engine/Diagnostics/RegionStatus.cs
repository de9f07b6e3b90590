namespace ServerlessTracker.Engine.Diagnostics;

/// <summary>One region as the stats page shows it: whether it is this one, and how far behind its sync events arrive.</summary>
/// <param name="LagSeconds">Seconds between a change in that region and its arrival here; null when unknown.</param>
/// <param name="LastEventAt">When the last sync event from that region was applied; null when none yet.</param>
public sealed record RegionStatus(string Name, bool IsLocal, double? LagSeconds, DateTimeOffset? LastEventAt);

/// <summary>Something that knows about regions (the sync component); the stats page lists what every registered source reports.</summary>
public interface IRegionStatusSource
{
    IReadOnlyList<RegionStatus> GetRegions();
}
