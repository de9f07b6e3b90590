using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Http.Core;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Scrape;

/// <summary>A full scrape answer (and its gzip form), shared by every request of the instance and reused for at least
/// <see cref="HttpTrackerOptions.FullScrapeCacheSeconds"/>: the published blob (<see cref="FullScrapePublisher"/>) when one
/// is configured and usable, otherwise rendered from the instance's one shared list of every swarm (<see cref="SwarmListing"/>,
/// read at most once per <c>Tracker:Listing:RefreshSeconds</c>, the stats page's too) and rendered again only from a newer list.</summary>
/// <remarks>
/// <para>A full scrape lists every swarm: building it per request would let one client cost what thousands of announces cost.</para>
/// <para>Torrents the tracker does not serve are left out (<see cref="FullScrapeRenderer"/>); a change to the lists makes the next
/// request build the answer again, and a blob built before this instance saw the change is not served until a newer one is.</para>
/// <para>The blob is asked for at most once per cache period, with its ETag, so an unchanged blob costs a 304; a new version is
/// downloaded and decompressed once (for clients without gzip). A blob missing, unreachable, unreadable or older than
/// <see cref="FullScrapeBlobOptions.MaxAgeSeconds"/> falls back to building here, counted (<see cref="FullScrapeMetrics"/>).</para>
/// </remarks>
public sealed class FullScrapeCache
{
    private readonly SwarmListing _listing;
    private readonly AnnouncePolicy _policy;
    private readonly HttpTrackerOptions _options;
    private readonly TimeProvider _time;
    private readonly IFullScrapeBlob? _blob;
    private readonly FullScrapeMetrics? _metrics;
    private readonly TimeSpan _maxBlobAge;
    private readonly RebuiltValue<Snapshot> _snapshot;
    private BlobCopy? _blobCopy;
    private long? _seenListChanges;
    private DateTimeOffset _listsChangedAt = DateTimeOffset.MinValue;

    public FullScrapeCache(SwarmListing listing, AnnouncePolicy policy, IOptions<HttpTrackerOptions> options, TimeProvider time,
        IFullScrapeBlob? blob = null, FullScrapeMetrics? metrics = null, IOptions<FullScrapeBlobOptions>? blobOptions = null)
    {
        _listing = listing;
        _policy = policy;
        _options = options.Value;
        _time = time;
        _blob = blob;
        _metrics = metrics;
        _maxBlobAge = TimeSpan.FromSeconds((blobOptions?.Value ?? new FullScrapeBlobOptions()).MaxAgeSeconds);
        _snapshot = new(snapshot =>
            time.GetUtcNow() - snapshot.CheckedAt >= TimeSpan.FromSeconds(_options.FullScrapeCacheSeconds) || snapshot.ListChanges != policy.InfoHashes.Changes);
    }

    /// <summary>The bencoded answer, its gzip form when enabled, when it was built, and from which list (or blob).</summary>
    public sealed record Snapshot(byte[] Plain, byte[]? Gzip, int Swarms, DateTimeOffset BuiltAt, long ListVersion, long ListChanges = 0)
    {
        public FullScrapeSource Source { get; init; } = FullScrapeSource.OnDemand;

        /// <summary>When this instance last built it or found the blob unchanged: the cache period counts from here.</summary>
        public DateTimeOffset CheckedAt { get; init; } = BuiltAt;
    }

    /// <summary>Whether full scrapes are served at all: <see cref="HttpTrackerOptions.FullScrapeEnabled"/>, by default on in open
    /// mode and off in private mode (it would list every info-hash the tracker holds to any passkey holder).</summary>
    public static bool IsEnabled(HttpTrackerOptions options, AnnouncePolicy policy)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        return options.FullScrapeEnabled ?? !policy.PrivateMode.Enabled;
    }

    /// <summary>Whether this tracker serves full scrapes (<see cref="IsEnabled"/>).</summary>
    public bool Enabled => IsEnabled(_options, _policy);

    /// <summary>Whether a published blob is configured (otherwise every answer is built here).</summary>
    public bool UsesBlob => _blob is not null;

    /// <summary>The last answer served, or null before the first full scrape.</summary>
    public Snapshot? Current => _snapshot.Current;

    public ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken) =>
        _snapshot.GetAsync(BuildAsync, cancellationToken);

    private async Task<Snapshot> BuildAsync(Snapshot? previous, CancellationToken cancellationToken)
    {
        var changes = _policy.InfoHashes.Changes;
        if (_seenListChanges != changes)
        {
            // The first build sets the baseline; a later move means the lists changed after that moment.
            _listsChangedAt = _seenListChanges is null ? DateTimeOffset.MinValue : _time.GetUtcNow();
            _seenListChanges = changes;
        }

        if (_blob is not null && await FromBlobAsync(changes, cancellationToken) is { } published)
        {
            return published;
        }

        var list = await _listing.GetAsync(cancellationToken);
        if (previous is { Source: FullScrapeSource.OnDemand } && previous.ListVersion == list.Version && previous.ListChanges == changes)
        {
            // The same list: the same answer, reused for another period.
            return previous with { BuiltAt = _time.GetUtcNow(), CheckedAt = _time.GetUtcNow() };
        }

        var (plain, count) = FullScrapeRenderer.Render(list.Swarms, _policy);
        var gzip = _options.FullScrapeGzip ? await FullScrapeRenderer.GzipAsync(plain, cancellationToken) : null;
        return new Snapshot(plain, gzip, count, _time.GetUtcNow(), list.Version, changes);
    }

    /// <summary>The blob as a snapshot, or null (counted) when it cannot be served.</summary>
    private async Task<Snapshot?> FromBlobAsync(long changes, CancellationToken cancellationToken)
    {
        FullScrapeBlobDownload? download;
        try
        {
            download = await _blob!.DownloadAsync(_blobCopy?.Version.ETag, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Storage down, throttled or refusing the identity: the instance builds it itself meanwhile.
            return FallBack("unreachable");
        }

        if (download is null)
        {
            _blobCopy = null;
            return FallBack("missing");
        }

        if (!download.NotModified || _blobCopy is null)
        {
            if (download.NotModified || FullScrapeRenderer.Gunzip(download.Gzip) is not { Length: > 0 } plain)
            {
                _blobCopy = null;
                return FallBack("unreadable");
            }

            _blobCopy = new BlobCopy(download.Version, download.Gzip, plain);
        }

        var copy = _blobCopy;
        var now = _time.GetUtcNow();
        if (now - copy.Version.BuiltAt > _maxBlobAge)
        {
            return FallBack("stale");
        }

        if (copy.Version.BuiltAt < _listsChangedAt)
        {
            return FallBack("lists");
        }

        return new Snapshot(copy.Plain, _options.FullScrapeGzip ? copy.Gzip : null, copy.Version.Swarms, copy.Version.BuiltAt, -1, changes)
        {
            Source = FullScrapeSource.Blob,
            CheckedAt = now,
        };
    }

    private Snapshot? FallBack(string reason)
    {
        _metrics?.FellBack(reason);
        return null;
    }

    /// <summary>The last blob version downloaded, in both forms: decompressed once per version.</summary>
    private sealed record BlobCopy(FullScrapeBlobVersion Version, byte[] Gzip, byte[] Plain);
}

/// <summary>Where a full scrape answer came from.</summary>
public enum FullScrapeSource
{
    /// <summary>Built by this instance from its list of every swarm.</summary>
    OnDemand,

    /// <summary>The blob the purge timer published.</summary>
    Blob,
}
