using System.Globalization;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Http.Scrape;

/// <summary>The published full scrape in Blob Storage: <c>Content-Encoding: gzip</c>, <c>text/plain</c>, cacheable for
/// <see cref="FullScrapeBlobOptions.PeriodSeconds"/>, with <c>builtat</c> (Unix seconds) and <c>swarms</c> in its metadata.</summary>
/// <remarks>Reached as the Table store is: the connection string (Azurite, development) or the endpoint with DefaultAzureCredential
/// (the app's managed identity, <c>Storage Blob Data Contributor</c>), with the same retry budget.</remarks>
public sealed class AzureFullScrapeBlob : IFullScrapeBlob
{
    private const string BuiltAtKey = "builtat";
    private const string SwarmsKey = "swarms";

    // One Put Blob up to this size: the blob is replaced whole by one request. (A larger one is staged as blocks and made
    // visible by one Put Block List, which is just as atomic for readers.)
    private const int SingleShotBytes = 256 << 20;

    private readonly BlobContainerClient _container;
    private readonly BlobClient _blob;
    private readonly string _cacheControl;

    public AzureFullScrapeBlob(FullScrapeBlobOptions options, TableStoreOptions tables)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(tables);
        var service = CreateService(options, tables);
        _container = service.GetBlobContainerClient(options.Container);
        _blob = _container.GetBlobClient(options.BlobName);
        _cacheControl = "public, max-age=" + options.PeriodSeconds.ToString(CultureInfo.InvariantCulture);
    }

    public async Task<FullScrapeBlobVersion?> GetVersionAsync(CancellationToken cancellationToken)
    {
        try
        {
            var properties = await _blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            return Version(properties.Value.ETag, properties.Value.Metadata, properties.Value.LastModified);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    public async Task<FullScrapeBlobDownload?> DownloadAsync(string? ifNoneMatch, CancellationToken cancellationToken)
    {
        var options = new BlobDownloadOptions();
        if (ifNoneMatch is not null)
        {
            options.Conditions = new BlobRequestConditions { IfNoneMatch = new ETag(ifNoneMatch) };
        }

        try
        {
            var download = await _blob.DownloadContentAsync(options, cancellationToken).ConfigureAwait(false);
            if (download.GetRawResponse().Status == 304)
            {
                return FullScrapeBlobDownload.Unchanged(new FullScrapeBlobVersion(ifNoneMatch, default, 0));
            }

            var details = download.Value.Details;
            return new FullScrapeBlobDownload(Version(details.ETag, details.Metadata, details.LastModified), download.Value.Content.ToArray(), false);
        }
        catch (RequestFailedException exception) when (exception.Status == 304)
        {
            return FullScrapeBlobDownload.Unchanged(new FullScrapeBlobVersion(ifNoneMatch, default, 0));
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    public async Task<bool> UploadAsync(ReadOnlyMemory<byte> gzip, FullScrapeBlobVersion version, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(version);
        var options = new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "text/plain", ContentEncoding = "gzip", CacheControl = _cacheControl },
            Metadata = new Dictionary<string, string>
            {
                [BuiltAtKey] = version.BuiltAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                [SwarmsKey] = version.Swarms.ToString(CultureInfo.InvariantCulture),
            },
            Conditions = ifMatch is null ? new BlobRequestConditions { IfNoneMatch = ETag.All } : new BlobRequestConditions { IfMatch = new ETag(ifMatch) },
            TransferOptions = new StorageTransferOptions { InitialTransferSize = SingleShotBytes, MaximumTransferSize = SingleShotBytes },
        };

        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await _blob.UploadAsync(BinaryData.FromBytes(gzip), options, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException exception) when (exception.Status is 409 or 412 && exception.ErrorCode != BlobErrorCode.ContainerBeingDeleted)
            {
                // Another writer replaced (or created) the blob since this one looked: its copy is as fresh as ours.
                return false;
            }
            catch (RequestFailedException exception) when (exception.ErrorCode == BlobErrorCode.ContainerNotFound && attempt == 0)
            {
                // Azurite, or an account provisioned without it: the first write creates the container (private).
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static FullScrapeBlobVersion Version(ETag etag, IDictionary<string, string> metadata, DateTimeOffset lastModified)
    {
        var builtAt = metadata.TryGetValue(BuiltAtKey, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : lastModified;
        var swarms = metadata.TryGetValue(SwarmsKey, out var count) && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new FullScrapeBlobVersion(etag.ToString(), builtAt, swarms);
    }

    private static BlobServiceClient CreateService(FullScrapeBlobOptions options, TableStoreOptions tables)
    {
        var clientOptions = new BlobClientOptions();
        TableClients.ApplyRetries(clientOptions.Retry, tables);
        // A full scrape of a large tracker is megabytes: the Table store's per-request timeout is for rows, not this.
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(30);
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(options.ServiceUri!, TableClients.Credential(tables), clientOptions)
            : new BlobServiceClient(options.ConnectionString, clientOptions);
    }
}
