using System.Buffers.Binary;
using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenManySwarmsStartAtOnce(AzuriteFixture azurite)
{
    private const int Swarms = 160;
    private static readonly SwarmSettings Settings = new() { PeerTtlSeconds = 2700 };

    [Fact]
    public async Task TheirIndexRowsShareTransactionsAndEverySwarmIsListedAndPurged()
    {
        // Cached swarms (no refresh reads), so that each announce costs only its peer write and, once per bucket, its index rows.
        var options = azurite.NewTables(o => o.CacheStalenessMilliseconds = 3_600_000);
        var time = Tables.Clock();
        using var store = Tables.Store(options, time, Settings);
        await store.InitializeAsync(CancellationToken.None);
        var hashes = Enumerable.Range(0, Swarms).Select(Spread).ToArray();
        foreach (var (hash, n) in hashes.Select((hash, n) => (hash, n)))
        {
            Assert.Equal(AnnounceStatus.Ok, (await store.AnnounceAsync(Peers.Command(hash, n + 1, PeerEvent.Started))).Status);
        }

        // A new purge bucket: every swarm's next write rewrites its index rows, as at each bucket boundary in production.
        time.Advance(TimeSpan.FromSeconds(options.PurgeBucketSeconds));
        var before = store.Metrics.Snapshot();

        var results = await Task.WhenAll(hashes.Select((hash, n) => store.AnnounceAsync(Peers.Command(hash, Swarms + n + 1, PeerEvent.Started))));

        var metrics = store.Metrics.Snapshot().Since(before);
        Assert.All(results, r => Assert.Equal(AnnounceStatus.Ok, r.Status));
        // 160 peer writes; one index transaction per swarm would add 160 more. Batched, a few per index partition (16).
        Assert.True(metrics.Transactions <= Swarms + (16 * 5), $"{metrics.Transactions} transactions for {Swarms} swarms in a new bucket");

        using var fresh = Tables.Store(options, time, Settings);
        var listed = (await fresh.ListSwarmsAsync(CancellationToken.None)).Select(s => s.InfoHash).ToHashSet();
        Assert.Equal(hashes.ToHashSet(), listed);

        time.Advance(TimeSpan.FromSeconds(Settings.PeerTtlSeconds + options.PurgeBucketSeconds + 1));
        var report = await fresh.PurgeAsync(CancellationToken.None);
        Assert.Equal(2 * Swarms, report.PeersRemoved);
    }

    /// <summary>Hashes spread over the 16 index partitions (first hex digit), ten in each.</summary>
    private static InfoHash Spread(int n)
    {
        var bytes = new byte[InfoHash.Length];
        bytes[0] = (byte)((n % 16) << 4);
        bytes[1] = 0x5a;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), n);
        return InfoHash.FromBytes(bytes);
    }
}
