using ServerlessTracker.Functions.Tests.Network;

namespace ServerlessTracker.Functions.Tests.Support;

/// <summary>Two tracker instances, regions "east" and "west", each publishing its changes to the other's webhook.</summary>
public sealed class TwoRegions : IAsyncDisposable
{
    public const string Key = "test-receiver-key";

    private TwoRegions(RunningTracker east, RunningTracker west)
    {
        East = east;
        West = west;
    }

    public RunningTracker East { get; }

    public RunningTracker West { get; }

    /// <summary>Starts both; <paramref name="extra"/> settings apply to both, <paramref name="westTopic"/> overrides west's target.</summary>
    public static async Task<TwoRegions> StartAsync(IDictionary<string, string?>? extra = null, string? westTopic = null)
    {
        var eastPort = WhenBehindProxies.FreePort();
        var westPort = WhenBehindProxies.FreePort();
        var east = await RunningTracker.StartAsync(Settings("east", westPort, extra), urls: $"http://127.0.0.1:{eastPort}");
        var west = await RunningTracker.StartAsync(Settings("west", eastPort, extra, westTopic), urls: $"http://127.0.0.1:{westPort}");
        return new TwoRegions(east, west);
    }

    public static Dictionary<string, string?> Settings(string region, int peerPort, IDictionary<string, string?>? extra, string? topic = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tracker:Region"] = region,
            ["Tracker:Sync:TopicEndpoint"] = topic ?? $"http://127.0.0.1:{peerPort}/sync/events",
            ["Tracker:Sync:TopicKey"] = Key,
            ["Tracker:Sync:ReceiverKey"] = Key,
            ["Tracker:Sync:FlushIntervalMilliseconds"] = "100",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Polls until <paramref name="condition"/> holds or the time is up; returns whether it held.</summary>
    public static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        do
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return await condition();
    }

    public async ValueTask DisposeAsync()
    {
        await East.DisposeAsync();
        await West.DisposeAsync();
    }
}
