using ServerlessTracker.Http.Tests.Network;

namespace ServerlessTracker.Http.Tests.Support;

/// <summary>Two tracker instances, regions "east" and "west", each publishing its changes to the other's webhook.</summary>
public sealed class TwoRegions : IAsyncDisposable
{
    public const string Key = "test-receiver-key-0123456789abcdef";

    private TwoRegions(RunningTracker east, RunningTracker west)
    {
        East = east;
        West = west;
    }

    public RunningTracker East { get; }

    public RunningTracker West { get; }

    /// <summary>Starts both; <paramref name="extra"/> settings apply to both, <paramref name="westTopic"/> overrides west's target.</summary>
    /// <param name="storeFor">Store settings per region (each region has its own storage), none for the in-memory store.</param>
    public static async Task<TwoRegions> StartAsync(IDictionary<string, string?>? extra = null, string? westTopic = null, Func<string, IDictionary<string, string?>>? storeFor = null)
    {
        var eastPort = WhenBehindProxies.FreePort();
        var westPort = WhenBehindProxies.FreePort();
        var east = await RunningTracker.StartAsync(WithStore(Settings("east", westPort, extra), storeFor?.Invoke("east")), urls: $"http://127.0.0.1:{eastPort}");
        var west = await RunningTracker.StartAsync(WithStore(Settings("west", eastPort, extra, westTopic), storeFor?.Invoke("west")), urls: $"http://127.0.0.1:{westPort}");
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

    private static Dictionary<string, string?> WithStore(Dictionary<string, string?> settings, IDictionary<string, string?>? store)
    {
        foreach (var (key, value) in store ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>A delivery to <c>/sync/events</c> carrying the receiver key as Event Grid sends it (a static header).</summary>
    public static HttpRequestMessage Delivery(string body, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/sync/events") { Content = new StringContent(body, System.Text.Encoding.UTF8, contentType) };
        request.Headers.Add("aeg-sas-key", Key);
        return request;
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
