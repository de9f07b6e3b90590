using System.Buffers.Binary;
using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenManySwarmsStartAtOnce(AzuriteFixture azurite)
{
    private const int Swarms = 160;
    private static readonly SwarmSettings Settings = new() { PeerTtlSeconds = 2700 };

    [Fact]
    public async Task TheirIndexRowsShareTransactionsAndEverySwarmIsScheduledForPurge()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        using var store = Tables.Store(options, time, Settings);
        await store.InitializeAsync(CancellationToken.None);
        var hashes = Enumerable.Range(0, Swarms).Select(Spread).ToArray();
        var before = store.Metrics.Snapshot();

        var results = await Task.WhenAll(hashes.Select((hash, n) => store.AnnounceAsync(Peers.Command(hash, n + 1, PeerEvent.Started))));

        var metrics = store.Metrics.Snapshot().Since(before);
        Assert.All(results, r => Assert.Equal(AnnounceStatus.Ok, r.Status));
        // Each new swarm costs its first read and its peer write; one index transaction per swarm would add 160 more (480 in all).
        Assert.True(metrics.Transactions <= (2 * Swarms) + (Swarms / 2), $"{metrics.Transactions} transactions for {Swarms} new swarms");

        using var fresh = Tables.Store(options, time, Settings);
        var listed = (await fresh.ListSwarmsAsync(CancellationToken.None)).Select(s => s.InfoHash).ToHashSet();
        Assert.Equal(hashes.ToHashSet(), listed);

        time.Advance(TimeSpan.FromSeconds(Settings.PeerTtlSeconds + options.PurgeBucketSeconds + 1));
        var report = await fresh.PurgeAsync(CancellationToken.None);
        Assert.Equal(Swarms, report.PeersRemoved);
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
