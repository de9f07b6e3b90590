using System.Diagnostics.Metrics;

namespace ServerlessTracker.Engine.Diagnostics;

/// <summary>The protocol a request came by.</summary>
public enum TrackerProtocol : byte
{
    Http = 0,
    Udp = 1,
}

/// <summary>Why a request was refused; the first values match <see cref="Policy.PolicyVerdict"/>.</summary>
public enum FailureReason : byte
{
    PasskeyRequired = 1,
    PasskeyUnknown = 2,
    PasskeyRevoked = 3,
    InfoHashNotAllowed = 4,
    InfoHashDenied = 5,
    AddressNotAllowed = 6,
    RatioTooLow = 7,
    BadRequest = 8,
    StoreUnavailable = 9,
    KeyMismatch = 10,

    /// <summary>Over the address's request budget (HTTP rate limit).</summary>
    RateLimited = 11,

    /// <summary>Too many full scrapes in flight on this instance.</summary>
    Busy = 12,

    /// <summary>The address created its share of new swarms (<c>Tracker:SwarmCreation</c>).</summary>
    NewSwarmsLimited = 13,

    /// <summary>A new peer of a full swarm (<c>Tracker:Swarm:MaxPeersPerSwarm</c>).</summary>
    SwarmFull = 14,

    /// <summary>A new peer of a passkey that has its peers in the swarm (<c>Tracker:Swarm:MaxPeersPerPasskey</c>).</summary>
    PasskeyPeerLimit = 15,

    /// <summary>Allow rules for clients exist and none matches the peer_id.</summary>
    ClientNotAllowed = 16,

    /// <summary>A client deny rule matches the peer_id.</summary>
    ClientDenied = 17,
}

/// <summary>What a client rule did to an announce (<see cref="TrackerMetrics.ClientRule"/>).</summary>
public enum ClientRuleOutcome : byte
{
    /// <summary>An allow rule let the client in.</summary>
    Allowed = 0,

    /// <summary>A deny rule refused it.</summary>
    Denied = 1,

    /// <summary>Allow rules exist and none matched: refused, no rule to name.</summary>
    NotAllowed = 2,
}

/// <summary>Totals since start, per protocol, for the stats page's rates.</summary>
public readonly record struct TrackerCounters(long HttpAnnounces, long UdpAnnounces, long HttpScrapes, long UdpScrapes, long Failures);

/// <summary>The tracker's own counters on the <c>ServerlessTracker</c> meter: announces and scrapes by protocol, failures by reason.</summary>
/// <remarks>
/// Every count is one <see cref="Counter{T}.Add(T, KeyValuePair{string, object?})"/> with tags built once
/// (boxed strings held in static arrays), plus an interlocked add for the local snapshot: nothing allocated.
/// Adapters (HTTP, UDP relay) share one instance per process; other components publish on meters of their own
/// (<c>ServerlessTracker.Storage</c>, <c>ServerlessTracker.Sync</c>, <c>ServerlessTracker.UdpRelay</c>).
/// </remarks>
public sealed class TrackerMetrics
{
    public const string MeterName = "ServerlessTracker";

    private static readonly KeyValuePair<string, object?>[] ProtocolTags = [new("protocol", "http"), new("protocol", "udp")];
    private static readonly KeyValuePair<string, object?>[] FamilyTags = [new("family", "inet"), new("family", "inet6"), new("family", "ipv4_mapped")];
    private static readonly KeyValuePair<string, object?>[] ReasonTags = BuildReasonTags();
    private static readonly KeyValuePair<string, object?>[] OutcomeTags = [new("outcome", "allowed"), new("outcome", "denied"), new("outcome", "not_allowed")];
    private static readonly KeyValuePair<string, object?> NoRuleTag = new("rule", "");

    private readonly Counter<long> _announces;
    private readonly Counter<long> _scrapes;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _unwritten;
    private readonly Counter<long> _scrapeHashes;
    private readonly Counter<long> _clientRules;
    private long _httpAnnounces;
    private long _udpAnnounces;
    private long _httpScrapes;
    private long _udpScrapes;
    private long _failureCount;

    public TrackerMetrics(Meter meter)
    {
        Meter = meter;
        _announces = meter.CreateCounter<long>("tracker.announces", "{announce}", "Announce requests received, by protocol and client address family.");
        _scrapes = meter.CreateCounter<long>("tracker.scrapes", "{scrape}", "Scrape requests received, by protocol and client address family.");
        _failures = meter.CreateCounter<long>("tracker.failures", "{failure}", "Requests answered with a failure, by reason, protocol and client address family.");
        _unwritten = meter.CreateCounter<long>("tracker.announces.unwritten", "{announce}",
            "Announces answered without a write, by protocol: re-announces inside min interval, stops of swarms nobody has.");
        _scrapeHashes = meter.CreateCounter<long>("tracker.scrapes.hashes", "{hash}", "Info-hashes named by scrapes (not full scrapes), by protocol.");
        _clientRules = meter.CreateCounter<long>("tracker.clients", "{announce}",
            "Announces a client rule decided, by rule (the peer_id prefix; empty when no allow rule matched) and outcome.");
    }

    /// <summary>The meter these counters live on; other instruments of the tracker (gauges) are added to it.</summary>
    public Meter Meter { get; }

    public void Announce(TrackerProtocol protocol, ClientFamily family)
    {
        Interlocked.Increment(ref protocol == TrackerProtocol.Http ? ref _httpAnnounces : ref _udpAnnounces);
        _announces.Add(1, ProtocolTags[(int)protocol], FamilyTags[(int)family]);
    }

    public void Scrape(TrackerProtocol protocol, ClientFamily family)
    {
        Interlocked.Increment(ref protocol == TrackerProtocol.Http ? ref _httpScrapes : ref _udpScrapes);
        _scrapes.Add(1, ProtocolTags[(int)protocol], FamilyTags[(int)family]);
    }

    public void Unwritten(TrackerProtocol protocol) => _unwritten.Add(1, ProtocolTags[(int)protocol]);

    public void ScrapeHashes(TrackerProtocol protocol, int hashes) => _scrapeHashes.Add(hashes, ProtocolTags[(int)protocol]);

    public void Failure(TrackerProtocol protocol, FailureReason reason, ClientFamily family)
    {
        Interlocked.Increment(ref _failureCount);
        _failures.Add(1, ReasonTags[(int)reason], ProtocolTags[(int)protocol], FamilyTags[(int)family]);
    }

    /// <summary>Counts an announce a client rule decided; <paramref name="rule"/> null when allow rules exist and none matched.</summary>
    public void ClientRule(Policy.AccessLists.ClientRule? rule, ClientRuleOutcome outcome) =>
        _clientRules.Add(1, rule?.MetricTag ?? NoRuleTag, OutcomeTags[(int)outcome]);

    public TrackerCounters Snapshot() => new(
        Interlocked.Read(ref _httpAnnounces),
        Interlocked.Read(ref _udpAnnounces),
        Interlocked.Read(ref _httpScrapes),
        Interlocked.Read(ref _udpScrapes),
        Interlocked.Read(ref _failureCount));

    /// <summary>The tag value used for a reason (snake case), as it appears in exported metrics.</summary>
    public static string ReasonName(FailureReason reason) => (string)ReasonTags[(int)reason].Value!;

    private static KeyValuePair<string, object?>[] BuildReasonTags()
    {
        var names = new[]
        {
            "none", "passkey_required", "passkey_unknown", "passkey_revoked", "infohash_not_allowed", "infohash_denied",
            "address_not_allowed", "ratio_too_low", "bad_request", "store_unavailable", "key_mismatch",
            "rate_limited", "busy", "new_swarms_limited", "swarm_full", "passkey_peer_limit", "client_not_allowed", "client_denied",
        };
        var tags = new KeyValuePair<string, object?>[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            tags[i] = new KeyValuePair<string, object?>("reason", names[i]);
        }

        return tags;
    }
}
