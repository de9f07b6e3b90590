using ServerlessTracker.Http.Scrape;

namespace ServerlessTracker.Http.Tests.Scrape;

/// <summary>The blob in memory, with Blob Storage's conditions (If-Match, If-None-Match) and a count of each call.</summary>
public sealed class FakeFullScrapeBlob : IFullScrapeBlob
{
    private readonly Lock _gate = new();
    private (FullScrapeBlobVersion Version, byte[] Gzip)? _blob;
    private int _etag;

    public int Downloads { get; private set; }

    public int NotModified { get; private set; }

    public int Uploads { get; private set; }

    public bool Unreachable { get; set; }

    /// <summary>Runs between a writer's read of the version and its upload: lets a test play a second writer.</summary>
    public Action? BeforeUpload { get; set; }

    public FullScrapeBlobVersion? Version => _blob?.Version;

    public byte[]? Gzip => _blob?.Gzip;

    public void Put(byte[] gzip, DateTimeOffset builtAt, int swarms)
    {
        lock (_gate)
        {
            _blob = (new FullScrapeBlobVersion("\"" + ++_etag + "\"", builtAt, swarms), gzip);
        }
    }

    public Task<FullScrapeBlobVersion?> GetVersionAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        return Task.FromResult(_blob?.Version);
    }

    public Task<FullScrapeBlobDownload?> DownloadAsync(string? ifNoneMatch, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        lock (_gate)
        {
            Downloads++;
            if (_blob is not { } blob)
            {
                return Task.FromResult<FullScrapeBlobDownload?>(null);
            }

            if (ifNoneMatch == blob.Version.ETag)
            {
                NotModified++;
                return Task.FromResult<FullScrapeBlobDownload?>(FullScrapeBlobDownload.Unchanged(blob.Version));
            }

            return Task.FromResult<FullScrapeBlobDownload?>(new FullScrapeBlobDownload(blob.Version, blob.Gzip, false));
        }
    }

    public Task<bool> UploadAsync(ReadOnlyMemory<byte> gzip, FullScrapeBlobVersion version, string? ifMatch, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        BeforeUpload?.Invoke();
        lock (_gate)
        {
            if (_blob?.Version.ETag != ifMatch)
            {
                return Task.FromResult(false);
            }

            Uploads++;
            _blob = (version with { ETag = "\"" + ++_etag + "\"" }, gzip.ToArray());
            return Task.FromResult(true);
        }
    }

    private void ThrowIfUnreachable()
    {
        if (Unreachable)
        {
            throw new HttpRequestException("storage unreachable");
        }
    }
}
