using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Options;
using ServerlessTracker.Sync;

namespace ServerlessTracker.Http.Stats;

/// <summary>Takes one history sample at the start of every minute (UTC) and, on Table Storage, writes this instance's
/// history to its region's row: one upsert a minute.</summary>
/// <remarks>Peers and swarms come from the instance's shared list of every swarm (<see cref="SwarmListing"/>): a sample reads
/// the store only when that list is older than <c>Tracker:Listing:RefreshSeconds</c>, so at most once a minute here. Idle when
/// the stats page is not served (switched off, or private mode without a token).</remarks>
public sealed partial class StatsHistoryService(
    StatsHistoryRecorder recorder,
    SwarmListing listing,
    IOptions<StatsOptions> options,
    IOptions<PrivateModeSettings> privateMode,
    IOptions<RegionOptions> region,
    TimeProvider time,
    ILogger<StatsHistoryService> logger,
    IStatsHistoryStore? store = null) : BackgroundService
{
    private readonly string _region = region.Value.Region;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.IsServed(privateMode.Value.Enabled))
        {
            return;
        }

        await StatsHistoryRecorder.EveryMinuteAsync(time, SampleAsync, stoppingToken);
    }

    /// <summary>Records one sample and shares the history; failures are logged and the next minute tries again.</summary>
    public async Task SampleAsync(CancellationToken cancellationToken)
    {
        try
        {
            var swarms = (await listing.GetAsync(cancellationToken)).Swarms;
            long peers = 0;
            foreach (var swarm in swarms)
            {
                peers += swarm.Counts.Peers;
            }

            recorder.Record(peers, swarms.Count);
            if (store is not null)
            {
                await store.WriteAsync(_region, recorder.History.ToArray(), cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogFailed(logger, exception.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats history sample not taken or not shared ({Reason}); the next minute tries again")]
    private static partial void LogFailed(ILogger logger, string reason);
}
