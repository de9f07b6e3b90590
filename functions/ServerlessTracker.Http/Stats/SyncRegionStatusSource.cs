using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Http.Stats;

/// <summary>Feeds the stats page's region table from sync: this region, and the lag of the latest change received from another.</summary>
public sealed class SyncRegionStatusSource(SyncMetrics metrics, IOptions<RegionOptions> region) : IRegionStatusSource
{
    public IReadOnlyList<RegionStatus> GetRegions()
    {
        var lag = metrics.LastLagMilliseconds;
        return [new RegionStatus(region.Value.Region, true, lag < 0 ? null : lag / 1000.0, null)];
    }
}
