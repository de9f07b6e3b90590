using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
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

// The Table store under two workloads on a real Azurite (started here, access log on):
//   skewed: announces spread over --torrents torrents with Zipf popularity (exponent --zipf);
//   hot:    every announce to one torrent.
// Every announce is a new peer (a real state change that must be written), through the tracker core as every front door
// calls it (so the swarm directory spares the first read of a swarm nobody has). --concurrency announces are in flight at
// a time, spread over --instances store instances sharing the tables (as function instances would).
// Usage: dotnet run -c Release --project tools/ServerlessTracker.StorageBenchmark -- [--announces 10000] [--concurrency 32]
//        [--instances 1] [--torrents 1000] [--zipf 1.0] [--workload skewed|hot|both] [--delay-ms 0] [--staleness-ms 5000]
//        --workload attacks: what each attack of issue 13 costs (Attacks.cs), through the tracker core.
var settings = Arguments.Parse(args);
var azurite = await AzuriteServer.StartAsync(accessLog: true);
try
{
    if (settings.Workloads is ["attacks"])
    {
        Console.WriteLine($"Azurite on port {azurite.Port}; the attacks of issue 13 through the tracker core, with the defaults");
        await Attacks.RunAsync(azurite);
        return;
    }

    Console.WriteLine($"Azurite on port {azurite.Port}; {settings}");
    Console.WriteLine("| workload | announces | tx/announce (app) | tx/announce (Azurite log) | mean batch | p50 ms | p99 ms | announces/s | cache hit % | refused |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach (var workload in settings.Workloads)
    {
        await RunAsync(workload, settings, azurite);
    }
}
finally
{
    await azurite.DisposeAsync();
}

static async Task RunAsync(string workload, Arguments settings, AzuriteServer azurite)
{
    var suffix = Guid.NewGuid().ToString("N")[..10];
    var stores = new List<TableSwarmStore>();
    for (var i = 0; i < settings.Instances; i++)
    {
        var options = new TableStoreOptions
        {
            ConnectionString = azurite.ConnectionString,
            SwarmsTable = "bench" + suffix,
            IndexTable = "benchindex" + suffix,
            GroupCommitDelayMilliseconds = settings.DelayMs,
            CacheStalenessMilliseconds = settings.StalenessMs,
            // Azurite is far slower than the service (it scans a table per query): generous budgets, so that the
            // figures count transactions rather than refusals.
            RequestTimeoutMilliseconds = 60_000,
            RetryBudgetMilliseconds = 120_000,
        };
        stores.Add(TableSwarmStore.Create(options, new SwarmSettings(), TimeProvider.System, new StorageMetrics()));
    }

    using var meter = new Meter("storage-benchmark");
    var cores = new List<AnnounceUseCase>();
    foreach (var store in stores)
    {
        await store.InitializeAsync(CancellationToken.None);
        cores.Add(new AnnounceUseCase(store, AnnouncePolicy.InMemory(TimeProvider.System), new SwarmSettings(), new TrackerMetrics(meter),
            new SwarmCreationBudgets(new SwarmCreationSettings(), TimeProvider.System)));
    }

    var picker = new TorrentPicker(workload == "hot" ? 1 : settings.Torrents, settings.Zipf);
    var latencies = new double[settings.Announces];
    var before = stores.Select(s => s.Metrics.Snapshot()).ToArray();
    var logged = azurite.RequestsLogged;
    var next = -1;
    var clock = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, settings.Concurrency).Select(worker => Task.Run(async () =>
    {
        var random = new Random(worker);
        var result = new AnnounceResult(50);
        var core = cores[worker % stores.Count];
        int n;
        while ((n = Interlocked.Increment(ref next)) < settings.Announces)
        {
            var command = Command(picker.Pick(random), n, random);
            result.Reset();
            var started = Stopwatch.GetTimestamp();
            await core.AnnounceAsync(TrackerProtocol.Udp, ClientFamily.Inet, [], command, command.Address, result, CancellationToken.None);
            latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
    })).ToArray();
    await Task.WhenAll(workers);
    var elapsed = clock.Elapsed;

    // The access log is written asynchronously: let it catch up before reading the count.
    await Task.Delay(1000);
    var metrics = default(StorageMetricsSnapshot);
    for (var i = 0; i < stores.Count; i++)
    {
        var d = stores[i].Metrics.Snapshot().Since(before[i]);
        metrics = new StorageMetricsSnapshot(metrics.Transactions + d.Transactions, metrics.FailedRequests + d.FailedRequests, metrics.Batches + d.Batches,
            metrics.BatchedWrites + d.BatchedWrites, metrics.Announces + d.Announces, metrics.Scrapes + d.Scrapes, metrics.CacheHits + d.CacheHits,
            metrics.CacheMisses + d.CacheMisses, metrics.Unavailable + d.Unavailable, metrics.PurgedPeers + d.PurgedPeers);
        stores[i].Dispose();
    }

    var fromLog = azurite.RequestsLogged - logged;
    Array.Sort(latencies);
    var hitRate = 100.0 * metrics.CacheHits / Math.Max(1, metrics.CacheHits + metrics.CacheMisses);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"| {workload} | {metrics.Announces} | {metrics.TransactionsPerAnnounce:F3} | {(double)fromLog / metrics.Announces:F3} | {metrics.MeanBatchSize:F1} | {Percentile(latencies, 0.50):F1} | {Percentile(latencies, 0.99):F1} | {metrics.Announces / elapsed.TotalSeconds:F0} | {hitRate:F1} | {metrics.Unavailable} |"));
}

static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

static AnnounceCommand Command(InfoHash hash, int peer, Random random)
{
    Span<byte> id = stackalloc byte[PeerId.Length];
    "-qB4650-"u8.CopyTo(id);
    BinaryPrimitives.WriteInt32BigEndian(id[16..], peer);
    id[12] = (byte)random.Next(256);
    var address = PeerAddress.FromIPAddress(new IPAddress(new byte[] { 10, (byte)(peer >> 16), (byte)(peer >> 8), (byte)peer }));
    var left = random.Next(5) == 0 ? 0 : 1000;
    return new AnnounceCommand(hash, PeerId.FromBytes(id), address, 6881, PeerEvent.Started, 0, 0, left, 50, 0, false, AddressFamilies.Both);
}

/// <summary>Torrents with Zipf popularity: torrent k (1-based) is picked with weight 1/k^s.</summary>
internal sealed class TorrentPicker
{
    private readonly double[] _cumulative;
    private readonly InfoHash[] _hashes;

    public TorrentPicker(int torrents, double exponent)
    {
        _cumulative = new double[torrents];
        _hashes = new InfoHash[torrents];
        var total = 0.0;
        var bytes = new byte[InfoHash.Length];
        for (var k = 0; k < torrents; k++)
        {
            total += 1.0 / Math.Pow(k + 1, exponent);
            _cumulative[k] = total;
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), k);
            bytes[0] = 0xbe;
            _hashes[k] = InfoHash.FromBytes(bytes);
        }

        for (var k = 0; k < torrents; k++)
        {
            _cumulative[k] /= total;
        }
    }

    public InfoHash Pick(Random random)
    {
        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return _hashes[Math.Min(_hashes.Length - 1, index < 0 ? ~index : index)];
    }
}

internal sealed record Arguments(int Announces, int Concurrency, int Instances, int Torrents, double Zipf, string[] Workloads, int DelayMs, int StalenessMs)
{
    public static Arguments Parse(string[] args)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            map[args[i].TrimStart('-')] = args[i + 1];
        }

        int Int(string key, int fallback) => map.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var workload = map.GetValueOrDefault("workload", "both");
        return new Arguments(
            Int("announces", 10_000),
            Int("concurrency", 32),
            Int("instances", 1),
            Int("torrents", 1000),
            map.TryGetValue("zipf", out var z) ? double.Parse(z, CultureInfo.InvariantCulture) : 1.0,
            workload == "both" ? ["skewed", "hot"] : [workload],
            Int("delay-ms", 0),
            Int("staleness-ms", 5000));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"announces {Announces}, concurrency {Concurrency}, instances {Instances}, torrents {Torrents}, zipf {Zipf}, group-commit delay {DelayMs} ms, cache staleness {StalenessMs} ms");
}
