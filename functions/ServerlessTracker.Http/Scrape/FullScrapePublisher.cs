using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Hosting.Purging;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Scrape;

/// <summary>After each purge, writes the full scrape as one gzip blob (<see cref="IFullScrapeBlob"/>) for every instance to
/// serve: the tracker then lists its swarms once per <see cref="FullScrapeBlobOptions.PeriodSeconds"/>, not once per instance.</summary>
/// <remarks>
/// <para>Runs after the purge rather than on a timer of its own: the counts are freshest then, the host's timer lock already
/// makes it one instance at a time, and there is no second schedule to keep in step with the blob's <c>max-age</c>.</para>
/// <para>A blob younger than half the period is left alone (a second instance, or a past-due run right after a normal one,
/// writes nothing); the write is conditional on the version read, so of two writers racing, one wins and the other stops.</para>
/// </remarks>
public sealed partial class FullScrapePublisher(
    IFullScrapeBlob blob,
    ISwarmStore store,
    AnnouncePolicy policy,
    IOptions<FullScrapeBlobOptions> options,
    IOptions<HttpTrackerOptions> http,
    FullScrapeMetrics metrics,
    TimeProvider time,
    ILogger<FullScrapePublisher> logger) : IPurgeFollowUp
{
    private readonly TimeSpan _fresh = TimeSpan.FromSeconds(options.Value.PeriodSeconds / 2.0);

    public async Task RunAsync(CancellationToken cancellationToken) => await PublishAsync(cancellationToken);

    /// <summary>Writes the blob unless it is fresh or another writer got there first, or full scrapes are off.</summary>
    public async Task<FullScrapePublication> PublishAsync(CancellationToken cancellationToken)
    {
        if (!FullScrapeCache.IsEnabled(http.Value, policy))
        {
            // Nothing serves it, and in private mode it would be every info-hash in one file.
            return FullScrapePublication.Disabled;
        }

        try
        {
            var current = await blob.GetVersionAsync(cancellationToken);
            var now = time.GetUtcNow();
            if (current is not null && now - current.BuiltAt < _fresh)
            {
                metrics.Published("skipped");
                LogSkipped(logger, (now - current.BuiltAt).TotalSeconds);
                return FullScrapePublication.Skipped;
            }

            var swarms = await store.ListSwarmsAsync(cancellationToken);
            var (plain, count) = FullScrapeRenderer.Render(swarms, policy);
            var gzip = await FullScrapeRenderer.GzipAsync(plain, cancellationToken);
            if (!await blob.UploadAsync(gzip, new FullScrapeBlobVersion(null, now, count), current?.ETag, cancellationToken))
            {
                metrics.Published("lost");
                LogLost(logger);
                return FullScrapePublication.Lost;
            }

            metrics.Published("written");
            LogWritten(logger, count, gzip.Length, plain.Length);
            return FullScrapePublication.Written;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.Published("failed");
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Full scrape published: {Swarms} swarms, {Gzip} bytes gzip ({Plain} plain)")]
    private static partial void LogWritten(ILogger logger, int swarms, int gzip, int plain);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Full scrape not published: the blob is {Age:F0} s old")]
    private static partial void LogSkipped(ILogger logger, double age);

    [LoggerMessage(Level = LogLevel.Information, Message = "Full scrape not published: another instance wrote it first")]
    private static partial void LogLost(ILogger logger);
}

/// <summary>What one publication did.</summary>
public enum FullScrapePublication
{
    Written,
    Skipped,
    Lost,
    Disabled,
}
