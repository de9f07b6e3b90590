namespace ServerlessTracker.Engine;

/// <summary>A swarm's figures: seeders (complete), leechers (incomplete) and completed downloads.</summary>
public readonly record struct SwarmCounts(long Complete, long Incomplete, long Downloaded)
{
    public long Peers => Complete + Incomplete;
}

/// <summary>A swarm and its figures, as listed for full scrape, stats and administration.</summary>
public readonly record struct SwarmSummary(InfoHash InfoHash, SwarmCounts Counts);
