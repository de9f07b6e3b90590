using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Http.Scrape;

/// <summary>The full scrape published as one gzip blob (configuration section <c>Tracker:FullScrape</c>): written after each
/// purge run, read by every instance for <c>GET /scrape</c> without info-hashes.</summary>
/// <remarks>Used when <see cref="ConnectionString"/> or <see cref="ServiceUri"/> is set, and only with the Table store (an
/// in-memory store lists one instance's swarms, not the tracker's); otherwise each instance builds the full scrape on demand.</remarks>
public sealed class FullScrapeBlobOptions : IValidatableObject
{
    public const string Section = "Tracker:FullScrape";

    /// <summary>A storage connection string with a blob endpoint (Azurite, or an account key). Secret: set it from the
    /// environment only. Default none.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Blob service endpoint (<c>https://ACCOUNT.blob.core.windows.net</c>), reached with DefaultAzureCredential and
    /// <c>Tracker:Tables:ManagedIdentityClientId</c>, as the Table store is. Used when <see cref="ConnectionString"/> is not set.
    /// Default none.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>The container holding the blob; created on first write when missing. Default <c>fullscrape</c>.</summary>
    [Required, RegularExpression("^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")]
    public string Container { get; set; } = "fullscrape";

    /// <summary>The blob's name. Default <c>scrape.gz</c>.</summary>
    [Required, RegularExpression("^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$")]
    public string BlobName { get; set; } = "scrape.gz";

    /// <summary>How often the blob is rewritten: a purge run skips the write while the blob is younger than half of it (so two
    /// runs close together, on two instances, write once), and clients are told to cache it this long (<c>Cache-Control:
    /// max-age</c>). Set it to the purge's period (<c>PurgeSchedule</c>, or <c>Tracker:Purge:IntervalSeconds</c> self-hosted)
    /// or a multiple of it. Seconds. Default 60.</summary>
    [Range(10, 86_400)]
    public int PeriodSeconds { get; set; } = 60;

    /// <summary>A blob older than this is not served: the instance builds the full scrape itself (and counts the fallback)
    /// until a newer blob appears, so a stopped timer never freezes the answer. Seconds. Default 600.</summary>
    [Range(10, 864_000)]
    public int MaxAgeSeconds { get; set; } = 600;

    /// <summary>Whether the configuration asks for the blob (either endpoint setting present).</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return !string.IsNullOrWhiteSpace(section[nameof(ConnectionString)]) || !string.IsNullOrWhiteSpace(section[nameof(ServiceUri)]);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ServiceUri is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("Tracker:FullScrape:ServiceUri must be an absolute URI.", [nameof(ServiceUri)]);
        }

        if (MaxAgeSeconds < PeriodSeconds)
        {
            yield return new ValidationResult("Tracker:FullScrape:MaxAgeSeconds must be at least PeriodSeconds.", [nameof(MaxAgeSeconds), nameof(PeriodSeconds)]);
        }
    }
}
