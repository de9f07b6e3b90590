using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Sync;

/// <summary>Cross-region sync through Event Grid (configuration section <c>Tracker:Sync</c>).</summary>
/// <remarks>Sync is on when <see cref="TopicEndpoint"/> is set (publishing) or <see cref="ReceiverKey"/> is set (receiving).</remarks>
public sealed class SyncOptions
{
    public const string Section = "Tracker:Sync";

    /// <summary>This region's Event Grid topic endpoint (https://&lt;topic&gt;.&lt;region&gt;-1.eventgrid.azure.net/api/events).
    /// Empty: nothing is published.</summary>
    public string? TopicEndpoint { get; set; }

    /// <summary>The topic's access key; empty to authenticate with Entra ID (DefaultAzureCredential, managed identity). At least
    /// 32 characters when set (Event Grid's keys are 44).</summary>
    public string? TopicKey { get; set; }

    /// <summary>The key other regions' deliveries must present at <c>/sync/events</c>, in the header <c>aeg-sas-key</c> only
    /// (never the query string). At least 32 characters. Empty: the self-hosted webhook refuses every delivery (under the
    /// Functions host the host checks the <c>syncevents</c> function key instead).</summary>
    public string? ReceiverKey { get; set; }

    /// <summary>Most changes in one CloudEvent; default 500 (peer changes: about 59 KB of base64, under Event Grid's 64 KB
    /// billing unit; operator changes: at most about 150 KB of JSON, under the 1 MB event limit).</summary>
    [Range(1, 10000)]
    public int MaxChangesPerEvent { get; set; } = 500;

    /// <summary>Most CloudEvents sent in one publish call; default 10.</summary>
    [Range(1, 100)]
    public int MaxEventsPerPublish { get; set; } = 10;

    /// <summary>Milliseconds a change may wait before its batch is sent; default 500 (flushed at least every second).</summary>
    [Range(10, 1000)]
    public int FlushIntervalMilliseconds { get; set; } = 500;

    /// <summary>Changes held while waiting to publish; beyond it the oldest are dropped and counted. Default 200000.</summary>
    [Range(100, 10_000_000)]
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>Publish attempts for one batch before it is dropped (peers re-announce anyway). Default 6.</summary>
    [Range(1, 100)]
    public int MaxPublishAttempts { get; set; } = 6;

    /// <summary>Longest wait between publish attempts, milliseconds; default 8000.</summary>
    [Range(10, 600_000)]
    public int MaxBackoffMilliseconds { get; set; } = 8000;

    /// <summary>Seconds between publishes of this region's whole operator state (passkeys, this region's figures rows, the
    /// access lists), which heal changes whose publishing failed and fill a region added later; 0: never. Default 900.</summary>
    [Range(0, 86_400)]
    public int OperatorResyncSeconds { get; set; } = 900;

    /// <summary>How far ahead of this instance's clock, in seconds, a change from another region may be dated (its announce
    /// time, an operator change's version, an IP entry's last use); default 30. Changes dated later are refused and counted
    /// (<c>tracker.sync.changes.refused</c>): a change from the future would win every later-wins merge, and a row or an
    /// entry dated far ahead would neither expire nor yield to a real change until then. Regions' clocks must agree
    /// within it (NTP keeps Azure hosts within well under a second).</summary>
    [Range(1, 3600)]
    public int MaxClockSkewSeconds { get; set; } = 30;

    public bool PublishEnabled => !string.IsNullOrWhiteSpace(TopicEndpoint);

    /// <summary>Fewest characters of <see cref="ReceiverKey"/> and <see cref="TopicKey"/> when set; shorter fails the start.</summary>
    public const int MinKeyLength = 32;

    internal static bool UnsetOrLongEnough(string? key) => string.IsNullOrEmpty(key) || key.Length >= MinKeyLength;

    internal static string TooShort(string setting) =>
        $"{setting} is shorter than {MinKeyLength} characters: use {MinKeyLength} random characters or more (for example openssl rand -hex 32), or leave it unset.";
}
