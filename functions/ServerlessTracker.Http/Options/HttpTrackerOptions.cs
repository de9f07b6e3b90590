using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Http.Options;

/// <summary>HTTP announce and scrape behaviour (configuration section <c>Tracker:Http</c>).</summary>
public sealed class HttpTrackerOptions
{
    public const string Section = "Tracker:Http";

    /// <summary>Longest accepted query string, in bytes; longer gets a <c>failure reason</c>. Default 8192 (a 100-hash scrape fits).</summary>
    [Range(256, 16384)]
    public int MaxQueryLength { get; set; } = 8192;

    /// <summary>Most info-hashes in one scrape; more gets a <c>failure reason</c>. Default 100.</summary>
    [Range(1, 1000)]
    public int MaxScrapeHashes { get; set; } = 100;

    /// <summary>Serve a full scrape (no info_hash) listing every swarm. Default (unset): on in open mode, off in private mode
    /// (it would list every info-hash the tracker holds to any passkey holder).</summary>
    public bool? FullScrapeEnabled { get; set; }

    /// <summary>Full scrapes in flight at once per instance, from the request until its last byte was sent; more are refused
    /// with <c>failure reason</c> and <c>retry in</c> (<see cref="RetryInSeconds"/>). Default 4.</summary>
    [Range(1, 1000)]
    public int FullScrapeMaxConcurrent { get; set; } = 4;

    /// <summary>Seconds a full scrape answer is reused before it is rebuilt. Default 30.</summary>
    [Range(1, 3600)]
    public int FullScrapeCacheSeconds { get; set; } = 30;

    /// <summary>Gzip the full scrape for clients that send <c>Accept-Encoding: gzip</c>. Default true.</summary>
    public bool FullScrapeGzip { get; set; } = true;

    /// <summary>Honour the client's <c>ip</c>/<c>ipv4</c>/<c>ipv6</c> claim instead of the connection's address.
    /// Off by default: BEP 7 warns it lets anyone point a swarm at a victim.</summary>
    public bool AllowClaimedAddress { get; set; }

    /// <summary>Tell clients the address the tracker sees (BEP 24 <c>external ip</c>). Default true.</summary>
    public bool ReportExternalIp { get; set; } = true;

    /// <summary>Serve plain <c>GET /announce</c> and <c>/scrape</c> requests on the connection fast path (a Kestrel connection
    /// middleware that parses them itself) instead of Kestrel's HTTP pipeline; anything else still goes to Kestrel.
    /// Default (unset): on standalone, off under the Functions host (its proxy keeps connections alive, where Kestrel does well).</summary>
    public bool? FastPath { get; set; }

    /// <summary>Seconds a client refused for a storage fault, or for want of a full-scrape slot, is told to wait (sent as <c>interval</c>, and as BEP 31 <c>retry in</c> in minutes, rounded up). Default 60.</summary>
    [Range(1, 3600)]
    public int RetryInSeconds { get; set; } = 60;
}
