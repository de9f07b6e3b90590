namespace ServerlessTracker.Soak;

/// <summary>The shape of one fault drill: load, durations of each phase, and how many fault rounds.</summary>
public sealed record DrillOptions
{
    /// <summary>Announces per second across both instances.</summary>
    public int AnnouncesPerSecond { get; init; } = 200;

    public int Torrents { get; init; } = 20;

    public int PeersPerTorrent { get; init; } = 40;

    /// <summary>Load before the first fault.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long Azurite stays down in each round.</summary>
    public TimeSpan StorageOutage { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Load after storage is back, before the instance restart.</summary>
    public TimeSpan Recovery { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>Load after the restart, before the next round (or the end).</summary>
    public TimeSpan AfterRestart { get; init; } = TimeSpan.FromSeconds(6);

    /// <summary>Fault rounds: outage, then a restart of instance A that switches its Event Grid topic (closed port, live region, ...).</summary>
    public int Rounds { get; init; } = 1;

    public Action<string> Log { get; init; } = Console.WriteLine;
}
