using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Replication;
using ServerlessTracker.Storage.Hosting;

namespace ServerlessTracker.Storage.Tests;

/// <summary>A peer the instance's cache lacks (outside the window of a large swarm, stored by another instance since the
/// refresh, expired) is judged by its stored row: the key rule, accounting deltas and replicated stops.</summary>
/// <remarks>Large partitions scaled down as in <see cref="WhenASwarmIsLarge"/>: 30 rows stand for one page, 10 peers for a
/// window; 120 fillers, so a window holds a peer with a chance of one in twelve. Several victims, so that one a window
/// happens to hold does not make a test pass for the wrong reason.</remarks>
[Collection(AzuriteCollection.Name)]
public sealed class WhenAPeerIsNotInTheCache(AzuriteFixture azurite)
{
    private const int Fillers = 120;
    private const uint VictimKey = 0x5eC12e7;
    private static readonly int[] Victims = [501, 502, 503, 504, 505];

    [Fact]
    public async Task AStopFromAnotherAddressWithoutTheKeyIsRefusedAndStoresNoTombstone()
    {
        var (options, time, hash) = await LargeSwarmWithKeyedVictimsAsync(70);
        using var reader = Tables.Store(options, time);
        await reader.AnnounceAsync(Peers.Command(hash, 10_000, PeerEvent.Started));

        foreach (var victim in Victims)
        {
            var stop = await reader.AnnounceAsync(Peers.Command(hash, victim, PeerEvent.Stopped) with { Address = Peers.Address(66) });
            Assert.Equal(AnnounceStatus.KeyMismatch, stop.Status);
        }

        foreach (var victim in Victims)
        {
            Assert.Equal(0, await StateAsync(options, hash, victim));
        }
    }

    [Fact]
    public async Task AnAnnounceFromAnotherAddressWithoutTheKeyIsRefusedAndTheRowKeepsItsAddress()
    {
        var (options, time, hash) = await LargeSwarmWithKeyedVictimsAsync(71);
        using var reader = Tables.Store(options, time);
        await reader.AnnounceAsync(Peers.Command(hash, 10_000, PeerEvent.Started));

        foreach (var victim in Victims)
        {
            var hijack = await reader.AnnounceAsync(Peers.Command(hash, victim, PeerEvent.Started) with { Address = Peers.Address(66), Port = 1 });
            Assert.Equal(AnnounceStatus.KeyMismatch, hijack.Status);
            hijack = await reader.AnnounceAsync(Peers.Command(hash, victim) with { Address = Peers.Address(66), Port = 1 });
            Assert.Equal(AnnounceStatus.KeyMismatch, hijack.Status);
        }

        // The peer itself, with its key, from a new address: allowed.
        var moved = await reader.AnnounceAsync(Peers.Command(hash, Victims[0]) with { Address = Peers.Address(77), Key = VictimKey, HasKey = true });
        Assert.Equal(AnnounceStatus.Ok, moved.Status);

        using var fresh = Tables.Store(options, time);
        var seen = await fresh.AnnounceAsync(Peers.Command(hash, 10_001, PeerEvent.Started, numWant: 200));
        Assert.DoesNotContain(66, Peers.Numbers(seen));
    }

    [Fact]
    public async Task AStartedOfANewPeerInAWindowIsInsertedWithoutAReadAndOfAKnownIdJudgedByItsRow()
    {
        var (options, time, hash) = await LargeSwarmWithKeyedVictimsAsync(76);
        using var reader = Tables.Store(options, time);
        await reader.AnnounceAsync(Peers.Command(hash, 10_000, PeerEvent.Started));
        var reads = reader.Metrics.PeerReads;

        // New peer ids (a flash crowd): inserted, no read first.
        var fresh = await Task.WhenAll(Enumerable.Range(30_000, 20).Select(p => reader.AnnounceAsync(Peers.Command(hash, p, PeerEvent.Started))));
        Assert.All(fresh, r => Assert.Equal((AnnounceStatus.Ok, PeerChange.Added), (r.Status, r.Change)));
        Assert.Equal(reads, reader.Metrics.PeerReads);
        Assert.Equal(0, reader.Metrics.InsertConflicts);
        Assert.Equal(0, await StateAsync(options, hash, 30_007));

        // Known ids, among new ones in the same batches: each conflict is judged by the row, the others stored.
        var victims = Victims.Select(v => reader.AnnounceAsync(Peers.Command(hash, v, PeerEvent.Started) with { Address = Peers.Address(66) }));
        var others = Enumerable.Range(31_000, 10).Select(p => reader.AnnounceAsync(Peers.Command(hash, p, PeerEvent.Started)));
        var results = await Task.WhenAll(victims.Concat(others));

        Assert.All(results.Take(Victims.Length), r => Assert.Equal(AnnounceStatus.KeyMismatch, r.Status));
        Assert.All(results.Skip(Victims.Length), r => Assert.Equal(AnnounceStatus.Ok, r.Status));
        Assert.InRange(reader.Metrics.InsertConflicts, 1, Victims.Length);
        Assert.Equal(0, await StateAsync(options, hash, 31_009));
        using var other = Tables.Store(options, time);
        foreach (var victim in Victims)
        {
            // Still the victim's row, key and all.
            var again = await other.AnnounceAsync(Peers.Command(hash, victim) with { Address = Peers.Address(67) });
            Assert.Equal(AnnounceStatus.KeyMismatch, again.Status);
        }
    }

    [Fact]
    public async Task AStopForAPeerNobodyStoredWritesNothing()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(72);
        using var store = Tables.Store(options, time, new SwarmSettings { RememberStops = true });
        await store.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));

        var stop = await store.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Stopped));

        Assert.Equal(AnnounceStatus.Ok, stop.Status);
        Assert.Equal(PeerChange.None, stop.Change);
        Assert.Null(await StateAsync(options, hash, 2));
    }

    [Fact]
    public async Task APeerOutsideTheWindowIsCreditedOnlyWhatItAddedSinceItsStoredAnnounce()
    {
        var (options, time, hash) = await LargeSwarmWithKeyedVictimsAsync(73);
        // Accounted re-announces taken as they come (min interval not enforced): the deltas are the point here.
        var lenient = new SwarmSettings { EnforceMinInterval = false };
        using var writer = Tables.Store(options, time, lenient);
        foreach (var victim in Victims)
        {
            await writer.AnnounceAsync(Victim(hash, victim) with { Uploaded = 1000, Downloaded = 3000, Accounted = true });
        }

        using var reader = Tables.Store(options, time, lenient);
        foreach (var victim in Victims)
        {
            var next = await reader.AnnounceAsync(Victim(hash, victim) with { Uploaded = 1500, Downloaded = 3100, Accounted = true });
            Assert.Equal((500L, 100L), (next.UploadedDelta, next.DownloadedDelta));
        }
    }

    [Fact]
    public async Task AnExpiredPeerIsCreditedFromItsStoredRow()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(74);
        using var store = Tables.Store(options, time, new SwarmSettings { EnforceMinInterval = false });
        await store.AnnounceAsync(Victim(hash, 1) with { Event = PeerEvent.Started, Accounted = true });
        await store.AnnounceAsync(Victim(hash, 1) with { Uploaded = 1000, Downloaded = 3000, Accounted = true });

        // A laptop asleep for an hour: the row expired but is still there (no purge ran).
        time.Advance(TimeSpan.FromSeconds(new SwarmSettings().PeerTtlSeconds + 600));
        var back = await store.AnnounceAsync(Victim(hash, 1) with { Uploaded = 1200, Downloaded = 3500, Accounted = true });

        Assert.Equal((200L, 500L), (back.UploadedDelta, back.DownloadedDelta));
    }

    [Fact]
    public async Task AReplicatedStopNeverOverwritesANewerRowTheCacheLacks()
    {
        var options = azurite.NewTables();
        var time = Tables.Clock();
        var hash = Peers.Hash(75);
        var settings = new SwarmSettings { RememberStops = true };
        using var a = Tables.Store(options, time, settings);
        using var b = Tables.Store(options, time, settings);
        await a.AnnounceAsync(Peers.Command(hash, 1, PeerEvent.Started));
        await b.ScrapeAsync(hash);

        // Stored by a after b's refresh; b learns of an older stop from another region.
        await a.AnnounceAsync(Peers.Command(hash, 2, PeerEvent.Started));
        var olderStop = new PeerUpdate(hash, Peers.Id(2), Peers.Address(2), 6883, ReplicatedPeerState.Stopped, false,
            time.GetUtcNow().AddSeconds(-10).ToUnixTimeMilliseconds(), 0, 0);
        await b.ApplyAsync(new[] { olderStop }, CancellationToken.None);

        Assert.Equal(0, await StateAsync(options, hash, 2));
    }

    /// <summary>A partition of <see cref="Fillers"/> peers plus the keyed victims, written by one instance.</summary>
    private async Task<(TableStoreOptions Options, Microsoft.Extensions.Time.Testing.FakeTimeProvider Time, InfoHash Hash)> LargeSwarmWithKeyedVictimsAsync(int n)
    {
        var options = azurite.NewTables(o => { o.FullReadMaxRows = 30; o.WindowRows = 10; });
        var time = Tables.Clock();
        var hash = Peers.Hash(n);
        using var writer = Tables.Store(options, time);
        await Task.WhenAll(Enumerable.Range(1, Fillers).Select(p => writer.AnnounceAsync(Peers.Command(hash, p, PeerEvent.Started))));
        foreach (var victim in Victims)
        {
            await writer.AnnounceAsync(Victim(hash, victim) with { Event = PeerEvent.Started });
        }

        time.Advance(TimeSpan.FromMilliseconds(options.CacheStalenessMilliseconds + 1));
        return (options, time, hash);
    }

    private static AnnounceCommand Victim(InfoHash hash, int victim) =>
        Peers.Command(hash, victim) with { Key = VictimKey, HasKey = true };

    /// <summary>The stored state of a peer's row (0 leecher, 1 seeder, 2 stopped), or null when there is none.</summary>
    private static async Task<int?> StateAsync(TableStoreOptions options, InfoHash hash, int peer)
    {
        var table = new TableClient(options.ConnectionString, options.SwarmsTable);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(hash.ToHex(), Schema.SwarmRows.PeerRowKey(Peers.Id(peer)));
        return response.HasValue ? response.Value!.GetInt32(Schema.SwarmRows.State) : null;
    }
}
