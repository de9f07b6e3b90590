namespace ServerlessTracker.Hosting.Purging;

/// <summary>Work that runs after each successful purge, on the instance that purged (the host's timer lock makes that one
/// instance at a time in Azure): the published full scrape is one, written while the counts are freshest.</summary>
/// <remarks>A follow-up that fails is logged and does not fail the purge: the purge's work is done, and the next run tries the
/// follow-up again.</remarks>
public interface IPurgeFollowUp
{
    Task RunAsync(CancellationToken cancellationToken);
}
