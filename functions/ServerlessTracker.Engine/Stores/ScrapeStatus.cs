namespace ServerlessTracker.Engine.Stores;

/// <summary>Whether a scrape's counts could be served.</summary>
public enum ScrapeStatus : byte
{
    /// <summary>Every count is as of the store's last read (a cache may serve stale counts while storage is down).</summary>
    Ok = 0,

    /// <summary>Storage failed and at least one swarm has never been read: answer with a retry hint, never with zeros.</summary>
    StoreUnavailable,
}
