using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Sync;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Shares the relay's UDP announces per second with its region's stats page: a sample at the start of every minute,
/// written to the relay's row of the region's stats history on Table Storage (<see cref="IStatsHistoryStore"/>).</summary>
/// <remarks>The relay counts its announces in its own process; without this row the function app's page could not know them.
/// Its samples carry no peers or swarms (0): the function app counts those from the same store, and the region takes the
/// largest figure, so the relay does not walk the swarm registry every minute for figures the page already has. Nothing is
/// kept when the relay runs on the in-memory store (no page could read it) or <see cref="RelayOptions.HistoryMinutes"/> is 0.</remarks>
public sealed partial class RelayStatsHistoryService(
    IServiceProvider services,
    IOptions<RelayOptions> options,
    IOptions<RegionOptions> region,
    TimeProvider time,
    ILogger<RelayStatsHistoryService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.HistoryMinutes == 0 || services.GetService<IStatsHistoryStore>() is not { } store)
        {
            return;
        }

        var recorder = new StatsHistoryRecorder(services.GetRequiredService<TrackerMetrics>(), new StatsHistory(options.Value.HistoryMinutes), time);
        await StatsHistoryRecorder.EveryMinuteAsync(time, async cancellationToken =>
        {
            try
            {
                recorder.Record(peers: 0, swarms: 0);
                await store.WriteAsync(region.Value.Region, recorder.History.ToArray(), cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogFailed(logger, exception.Message);
            }
        }, stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "UDP announce history not shared ({Reason}); the next minute tries again")]
    private static partial void LogFailed(ILogger logger, string reason);
}
