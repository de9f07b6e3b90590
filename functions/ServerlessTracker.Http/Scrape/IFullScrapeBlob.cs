namespace ServerlessTracker.Http.Scrape;

/// <summary>The one blob holding the published full scrape: its gzip bytes, and in its metadata when and from how many swarms
/// it was built. <see cref="AzureFullScrapeBlob"/> in Azure (and on Azurite); a fake in the policy's tests.</summary>
public interface IFullScrapeBlob
{
    /// <summary>The blob's version and what its metadata says, or null when there is none.</summary>
    Task<FullScrapeBlobVersion?> GetVersionAsync(CancellationToken cancellationToken);

    /// <summary>The blob, or <see cref="FullScrapeBlobDownload.NotModified"/> when its ETag is still <paramref name="ifNoneMatch"/>,
    /// or null when there is none.</summary>
    Task<FullScrapeBlobDownload?> DownloadAsync(string? ifNoneMatch, CancellationToken cancellationToken);

    /// <summary>Replaces the blob in one request (a reader sees the old bytes or the new, never a mix), only if it is still the
    /// version <paramref name="ifMatch"/> (null: only if there is none). False when another writer got there first.</summary>
    Task<bool> UploadAsync(ReadOnlyMemory<byte> gzip, FullScrapeBlobVersion version, string? ifMatch, CancellationToken cancellationToken);
}

/// <summary>One version of the blob: its ETag (null before it is written), when it was built and how many swarms it lists.</summary>
public sealed record FullScrapeBlobVersion(string? ETag, DateTimeOffset BuiltAt, int Swarms);

/// <summary>A download: the version and its gzip bytes (empty when not modified).</summary>
public sealed record FullScrapeBlobDownload(FullScrapeBlobVersion Version, byte[] Gzip, bool NotModified)
{
    public static FullScrapeBlobDownload Unchanged(FullScrapeBlobVersion version) => new(version, [], true);
}
