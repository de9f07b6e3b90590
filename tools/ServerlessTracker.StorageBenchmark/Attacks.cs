using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Text;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Engine.Tracking;
using ServerlessTracker.Storage;
using ServerlessTracker.Storage.Diagnostics;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Tests.Shared;

/// <summary>What the attacks of issue 13 cost, through the tracker core (the use cases every front door calls) on the Table
/// store: Table transactions, cache entries and bytes per attack, with the defaults (docs/reliability.md).</summary>
/// <remarks>Each attack gets fresh tables and a fresh store; one client address; a directory already read (a first scrape),
/// as on any instance that has served a request. <c>--workload attacks</c>.</remarks>
internal static class Attacks
{
    private static readonly PeerAddress Attacker = PeerAddress.FromIPAddress(IPAddress.Parse("203.0.113.9"));

    public static async Task RunAsync(AzuriteServer azurite)
    {
        Console.WriteLine("| attack | requests | answered | refused | Table transactions | per request | cache entries after | cache bytes after | swarms created |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        await MeasureAsync(azurite, "UDP scrapes of 74 unknown hashes", 100, new SwarmSettings(), async (core, _, i) =>
        {
            var hashes = Hashes(74, 1000 + i);
            var counts = new SwarmCounts[74];
            return await core.Scrapes.ScrapeAsync(TrackerProtocol.Udp, ClientFamily.Inet, hashes, counts, default) == ScrapeStatus.Ok;
        });
        await MeasureAsync(azurite, "HTTP scrapes of 100 unknown hashes", 100, new SwarmSettings(), async (core, _, i) =>
        {
            var hashes = Hashes(100, 5000 + i);
            return await core.Scrapes.ScrapeAsync(TrackerProtocol.Http, ClientFamily.Inet, hashes, new SwarmCounts[100], default) == ScrapeStatus.Ok;
        });
        await MeasureAsync(azurite, "stops of unknown swarms", 1000, new SwarmSettings(), async (core, result, i) =>
            await AnnounceAsync(core, result, Command(Hashes(1, 9000 + i)[0], i, PeerEvent.Stopped)));
        await MeasureAsync(azurite, "announces of new swarms (random hashes)", 2000, new SwarmSettings(), async (core, result, i) =>
            await AnnounceAsync(core, result, Command(Hashes(1, 20_000 + i)[0], i, PeerEvent.Started)));
        var one = Hashes(1, 7)[0];
        await MeasureAsync(azurite, "one peer re-announcing with a new port, 1,000 times in a minute", 1000, new SwarmSettings(), async (core, result, i) =>
            await AnnounceAsync(core, result, Command(one, 1, i == 0 ? PeerEvent.Started : PeerEvent.None) with { Port = (ushort)(7000 + i) }));
        await MeasureAsync(azurite, "the same, min interval not enforced", 1000, new SwarmSettings { EnforceMinInterval = false }, async (core, result, i) =>
            await AnnounceAsync(core, result, Command(one, 1, i == 0 ? PeerEvent.Started : PeerEvent.None) with { Port = (ushort)(7000 + i) }));
        await MeasureAsync(azurite, "one passkey starting 100 peer ids in one torrent", 100, new SwarmSettings(), async (core, result, i) =>
            await AnnounceAsync(core, result, Command(one, 100 + i, PeerEvent.Started), Encoding.ASCII.GetBytes(core.Announces.Policy.Passkeys.List()[0].Passkey)));
    }

    private static async Task MeasureAsync(AzuriteServer azurite, string name, int requests, SwarmSettings settings, Func<TrackerCore, AnnounceResult, int, Task<bool>> attack)
    {
        var suffix = Guid.NewGuid().ToString("N")[..10];
        var options = new TableStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            SwarmsTable = "attack" + suffix,
            IndexTable = "attackindex" + suffix,
            RequestTimeoutMilliseconds = 60_000,
            RetryBudgetMilliseconds = 120_000,
        };
        using var meter = new Meter("attacks");
        using var store = TableSwarmStore.Create(options, settings, TimeProvider.System, new StorageMetrics());
        await store.InitializeAsync(default);
        var policy = AnnouncePolicy.InMemory(TimeProvider.System);
        await policy.Passkeys.CreateAsync("attacker", default);
        var core = new TrackerCore(
            new AnnounceUseCase(store, policy, settings, new TrackerMetrics(meter), new SwarmCreationBudgets(new SwarmCreationSettings(), TimeProvider.System)),
            new ScrapeUseCase(store, policy, new TrackerMetrics(meter)));
        await core.Scrapes.ScrapeAsync(TrackerProtocol.Http, ClientFamily.Inet, Hashes(1, 1), new SwarmCounts[1], default);

        var before = store.Metrics.Snapshot().Transactions;
        var known = store.KnownSwarms;
        var result = new AnnounceResult(settings.MaxNumWant);
        var answered = 0;
        for (var i = 0; i < requests; i++)
        {
            answered += await attack(core, result, i) ? 1 : 0;
        }

        await Task.Delay(500);
        var transactions = store.Metrics.Snapshot().Transactions - before;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {requests:N0} | {answered:N0} | {requests - answered:N0} | {transactions:N0} | {(double)transactions / requests:F3} | {store.CachedSwarms:N0} | {store.CachedBytes:N0} | {store.KnownSwarms - known:N0} |"));
    }

    private static async Task<bool> AnnounceAsync(TrackerCore core, AnnounceResult result, AnnounceCommand command, byte[]? passkey = null)
    {
        var outcome = await core.Announces.AnnounceAsync(TrackerProtocol.Http, ClientFamily.Inet, passkey ?? [], command, Attacker, result, default);
        return outcome.Kind == AnnounceOutcomeKind.Answered;
    }

    private static AnnounceCommand Command(InfoHash hash, int peer, PeerEvent @event)
    {
        Span<byte> id = stackalloc byte[PeerId.Length];
        "-AT0001-"u8.CopyTo(id);
        BinaryPrimitives.WriteInt32BigEndian(id[16..], peer);
        return new AnnounceCommand(hash, PeerId.FromBytes(id), Attacker, 6881, @event, 0, 0, 100, 50, 0, false, AddressFamilies.Both);
    }

    private static InfoHash[] Hashes(int count, int seed)
    {
        var random = new Random(seed);
        var bytes = new byte[InfoHash.Length];
        var hashes = new InfoHash[count];
        for (var i = 0; i < count; i++)
        {
            random.NextBytes(bytes);
            hashes[i] = InfoHash.FromBytes(bytes);
        }

        return hashes;
    }
}
