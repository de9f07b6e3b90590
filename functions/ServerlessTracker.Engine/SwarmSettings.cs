using System.ComponentModel.DataAnnotations;

namespace ServerlessTracker.Engine;

/// <summary>Announce rules shared by every protocol and store (configuration section <c>Tracker:Swarm</c>).</summary>
public sealed class SwarmSettings
{
    /// <summary>Seconds between regular announces that clients are told (<c>interval</c>); default 1800.</summary>
    [Range(60, 86400)]
    public int IntervalSeconds { get; set; } = 1800;

    /// <summary>Up to this many seconds are subtracted at random from each interval, to spread re-announces; default 180.</summary>
    [Range(0, 3600)]
    public int IntervalJitterSeconds { get; set; } = 180;

    /// <summary>Seconds clients must wait between announces (<c>min interval</c>); default 900.</summary>
    [Range(1, 86400)]
    public int MinIntervalSeconds { get; set; } = 900;

    /// <summary>Peers expire when not seen for this many seconds; default 2700 (1.5 × interval).</summary>
    [Range(60, 7 * 86400)]
    public int PeerTtlSeconds { get; set; } = 2700;

    /// <summary>Peers returned when a client does not send <c>numwant</c>; default 50.</summary>
    [Range(0, 1000)]
    public int DefaultNumWant { get; set; } = 50;

    /// <summary>The most peers one answer carries, whatever <c>numwant</c> asks; default 200.</summary>
    [Range(1, 1000)]
    public int MaxNumWant { get; set; } = 200;

    /// <summary>An empty swarm keeps its completed count this many seconds after its last peer left; default 30 days.</summary>
    [Range(0, 365 * 86400)]
    public int EmptySwarmRetentionSeconds { get; set; } = 30 * 86400;

    /// <summary>The most peers one swarm holds; an announce of a new peer beyond it is refused ("swarm is full", with
    /// <c>retry in</c>) until peers stop or expire, while the swarm's peers go on announcing. Peers. Default 100,000: above
    /// the largest swarms public trackers report, while one swarm stays below ~10 MB in memory and a partition below
    /// ~15 MB of rows. 0: no cap.</summary>
    [Range(0, 10_000_000)]
    public int MaxPeersPerSwarm { get; set; } = 100_000;

    /// <summary>The most peers one passkey has in one swarm (its clients: a home machine, a seedbox...); a new peer beyond
    /// it is refused until one of them stops or expires. Applies to announces accounted to a passkey (private mode, or a
    /// known passkey in open mode). Peers. Default 3, as private trackers allow. 0: no cap.</summary>
    [Range(0, 1000)]
    public int MaxPeersPerPasskey { get; set; } = 3;

    /// <summary>Enforce <c>min interval</c>: a re-announce of a peer stored less than <see cref="RewriteWindowSeconds"/>
    /// ago is answered from the swarm (peers and counts) and never written, whatever it changes (port, state, counters, a
    /// repeated <c>started</c>); only <c>stopped</c> and the peer's first counted <c>completed</c> are taken at once. Off:
    /// only a re-announce that changes nothing is answered so, and a passkey's moved counters are stored at once. Default
    /// true.</summary>
    public bool EnforceMinInterval { get; set; } = true;

    /// <summary>Keep a tombstone for each stopped peer for one TTL, so a late replicated announce cannot revive it.
    /// Set by the app when cross-region sync is on; default false.</summary>
    public bool RememberStops { get; set; }

    /// <summary>Seconds after a peer's last stored announce during which a plain re-announce (no event, same address,
    /// port, seeder state and key) is answered from the swarm without writing: <see cref="MinIntervalSeconds"/>, at most
    /// half the peer TTL, so a peer that keeps announcing is always stored again before it could expire.</summary>
    public int RewriteWindowSeconds => Math.Min(MinIntervalSeconds, PeerTtlSeconds / 2);

    public int EffectiveNumWant(int requested) =>
        requested < 0 ? Math.Min(DefaultNumWant, MaxNumWant) : Math.Min(requested, MaxNumWant);

    /// <summary>The interval to tell one client: the configured interval minus a random share of the jitter.</summary>
    public int JitteredInterval(Random random) =>
        IntervalJitterSeconds == 0 ? IntervalSeconds : IntervalSeconds - random.Next(IntervalJitterSeconds + 1);
}
