using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Sync.Publishing;

namespace ServerlessTracker.UdpRelay.Hosting;

/// <summary>Purges expired peers on a timer, as the function app's <c>purge</c> timer does when it runs standalone.</summary>
public sealed partial class PurgeService(ISwarmStore store, IOptions<RelayOptions> options, TimeProvider time, ILogger<PurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seconds = options.Value.PurgeIntervalSeconds;
        var inner = store is ReplicatingSwarmStore replicating ? replicating.Inner : store;
        if (seconds == 0 || inner is not InMemorySwarmStore)
        {
            // A shared store (Table Storage) is purged by the function app's purge timer, once for everyone.
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(seconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var report = await store.PurgeAsync(stoppingToken);
                    LogPurged(report.PeersRemoved, report.SwarmsRemoved, report.SwarmsVisited, report.Elapsed.TotalMilliseconds);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    LogPurgeFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Peers} peers and {Swarms} swarms of {Visited} in {Milliseconds} ms")]
    private partial void LogPurged(int peers, int swarms, int visited, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purge failed; the next tick retries")]
    private partial void LogPurgeFailed(Exception exception);
}
