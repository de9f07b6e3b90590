using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace ServerlessTracker.Storage.Hosting;

/// <summary>The Table Storage store (configuration section <c>Tracker:Tables</c>; env vars <c>Tracker__Tables__Key</c>).</summary>
/// <remarks>The store is used when <see cref="ConnectionString"/> or <see cref="ServiceUri"/> is set; otherwise the app keeps the in-memory store.</remarks>
public sealed class TableStoreOptions : IValidatableObject
{
    public const string Section = "Tracker:Tables";

    /// <summary>A storage connection string (Azurite, or an account key). Secret: set it from the environment only. Default none.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The Table service endpoint (<c>https://ACCOUNT.table.core.windows.net</c>), reached with DefaultAzureCredential
    /// (managed identity in Azure). Used when <see cref="ConnectionString"/> is not set. Default none.</summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity for DefaultAzureCredential. Default none (system or developer identity).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>The table holding one partition per swarm. Default <c>swarms</c>.</summary>
    [Required, RegularExpression(TableNamePattern)]
    public string SwarmsTable { get; set; } = "swarms";

    /// <summary>The table holding the swarm registry and the purge schedule. Default <c>swarmindex</c>.</summary>
    [Required, RegularExpression(TableNamePattern)]
    public string IndexTable { get; set; } = "swarmindex";

    /// <summary>The table holding each instance's stats history (one row per instance, partitioned by region). Default <c>statshistory</c>.</summary>
    [Required, RegularExpression(TableNamePattern)]
    public string StatsTable { get; set; } = "statshistory";

    /// <summary>Create both tables at start when missing. Default true.</summary>
    public bool CreateTables { get; set; } = true;

    /// <summary>Milliseconds a cached swarm is served before it is refreshed from its partition (bounded staleness). Default 5000.</summary>
    [Range(0, 600_000)]
    public int CacheStalenessMilliseconds { get; set; } = 5000;

    /// <summary>Seconds an unused swarm stays cached before it is dropped from memory. Default 300.</summary>
    [Range(1, 86_400)]
    public int CacheIdleSeconds { get; set; } = 300;

    /// <summary>The most swarms this instance caches; beyond it the least recently used are dropped (and read again when
    /// asked for). Swarms. Default 100,000 (about 60 MB of small swarms).</summary>
    [Range(10, 10_000_000)]
    public int CacheMaxSwarms { get; set; } = 100_000;

    /// <summary>The most memory the swarm cache may hold, as estimated from its peers and bookkeeping; beyond it the least
    /// recently used swarms are dropped. Bytes. Default 268,435,456 (256 MiB: an eighth of a 2 GB Flex Consumption instance).</summary>
    [Range(1L << 20, 1L << 40)]
    public long CacheMaxBytes { get; set; } = 256L << 20;

    /// <summary>A partition with at most this many rows is read whole on refresh (exact peers and counts);
    /// a larger one is read as a random window plus its summary row. Rows. Default 1000 (one Table page).</summary>
    [Range(10, 1000)]
    public int FullReadMaxRows { get; set; } = 1000;

    /// <summary>Peers read per refresh of a large swarm: one random window of row keys. Rows. Default 1000.</summary>
    [Range(10, 1000)]
    public int WindowRows { get; set; } = 1000;

    /// <summary>Seconds between recounts of a large swarm's seeders and leechers (one instance recounts, the others read its figures). Default 60.</summary>
    [Range(1, 86_400)]
    public int LargeSwarmRecountSeconds { get; set; } = 60;

    /// <summary>Most operations in one entity group transaction (group commit). Operations. Default 100, the service's limit.</summary>
    [Range(2, 100)]
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Milliseconds a partition's writer waits for more writes before committing a batch. Default 0: batches form
    /// while the previous transaction of the partition is in flight.</summary>
    [Range(0, 1000)]
    public int GroupCommitDelayMilliseconds { get; set; }

    /// <summary>Retries of one Table request after throttling (429/500/503), timeouts or network errors, with jittered exponential backoff. Default 3.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Milliseconds before the first retry; each later one doubles, with jitter. Default 100.</summary>
    [Range(1, 10_000)]
    public int RetryDelayMilliseconds { get; set; } = 100;

    /// <summary>Milliseconds one Table request may take before it is abandoned (and retried). Default 2000.</summary>
    [Range(100, 100_000)]
    public int RequestTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>Milliseconds one store operation may take in all, retries included, before the announce is refused
    /// with a retry hint. Default 3000.</summary>
    [Range(100, 120_000)]
    public int RetryBudgetMilliseconds { get; set; } = 3000;

    /// <summary>Seconds the store refuses at once after repeated faults (circuit open) before it tries storage again. Default 5.</summary>
    [Range(1, 600)]
    public int BreakSeconds { get; set; } = 5;

    /// <summary>Seconds a client refused for a storage fault is told to wait (<c>retry in</c>). Default 60.</summary>
    [Range(1, 3600)]
    public int RetryInSeconds { get; set; } = 60;

    /// <summary>Width of one purge schedule bucket: a swarm written in a bucket is visited once that bucket's peers can
    /// have expired. Seconds. Default 300.</summary>
    [Range(10, 86_400)]
    public int PurgeBucketSeconds { get; set; } = 300;

    /// <summary>Most swarms one purge run visits; the rest wait for the next run. Default 100000.</summary>
    [Range(1, 10_000_000)]
    public int PurgeMaxSwarmsPerRun { get; set; } = 100_000;

    /// <summary>Swarms a purge run visits at the same time. Default 4.</summary>
    [Range(1, 64)]
    public int PurgeParallelism { get; set; } = 4;

    /// <summary>This instance's name in its per-instance <c>downloaded</c> rows: letters and digits. Default a random id per process.</summary>
    [RegularExpression("^[A-Za-z0-9]{1,32}$")]
    public string? InstanceId { get; set; }

    private const string TableNamePattern = "^[A-Za-z][A-Za-z0-9]{2,62}$";

    /// <summary>Whether the configuration selects the Table store (either endpoint setting present).</summary>
    public static bool IsConfigured(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        return !string.IsNullOrWhiteSpace(section[nameof(ConnectionString)]) || !string.IsNullOrWhiteSpace(section[nameof(ServiceUri)]);
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString) && ServiceUri is null)
        {
            yield return new ValidationResult("Set Tracker:Tables:ConnectionString or Tracker:Tables:ServiceUri.", [nameof(ConnectionString), nameof(ServiceUri)]);
        }

        if (ServiceUri is { IsAbsoluteUri: false })
        {
            yield return new ValidationResult("Tracker:Tables:ServiceUri must be an absolute URI.", [nameof(ServiceUri)]);
        }

        if (string.Equals(SwarmsTable, IndexTable, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("Tracker:Tables:SwarmsTable and IndexTable must differ.", [nameof(SwarmsTable), nameof(IndexTable)]);
        }

        if (string.Equals(StatsTable, SwarmsTable, StringComparison.OrdinalIgnoreCase) || string.Equals(StatsTable, IndexTable, StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult("Tracker:Tables:StatsTable must differ from SwarmsTable and IndexTable.", [nameof(StatsTable)]);
        }
    }
}
