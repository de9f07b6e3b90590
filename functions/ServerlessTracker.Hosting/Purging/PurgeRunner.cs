using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Hosting.Purging;

/// <summary>Runs one purge of stale peers at a time, from the in-process timer or the host's timer trigger, then its
/// follow-ups (<see cref="IPurgeFollowUp"/>).</summary>
public sealed partial class PurgeRunner(ISwarmStore store, IEnumerable<IPurgeFollowUp> followUps, ILogger<PurgeRunner> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Purges, or returns null when a run is already under way (the next tick will catch up).</summary>
    public async Task<PurgeReport?> RunAsync(CancellationToken cancellationToken)
    {
        if (!await _gate.WaitAsync(0, cancellationToken))
        {
            LogSkipped(logger);
            return null;
        }

        try
        {
            var report = await store.PurgeAsync(cancellationToken);
            LogPurged(logger, report.PeersRemoved, report.SwarmsRemoved, report.SwarmsVisited, report.Elapsed.TotalMilliseconds);
            foreach (var followUp in followUps)
            {
                try
                {
                    await followUp.RunAsync(cancellationToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogFollowUpFailed(logger, followUp.GetType().Name, exception);
                }
            }

            return report;
        }
        finally
        {
            _gate.Release();
        }
    }

    public static string Describe(PurgeReport report) =>
        $"purge removed {report.PeersRemoved} expired peers and {report.SwarmsRemoved} empty swarms; visited {report.SwarmsVisited} swarms in {report.Elapsed.TotalMilliseconds:F0} ms";

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge removed {Peers} expired peers and {Swarms} empty swarms; visited {Visited} swarms in {Milliseconds:F0} ms")]
    private static partial void LogPurged(ILogger logger, int peers, int swarms, int visited, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "After the purge, {FollowUp} failed; the next run tries again")]
    private static partial void LogFollowUpFailed(ILogger logger, string followUp, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purge skipped: the previous run is still going")]
    private static partial void LogSkipped(ILogger logger);
}
