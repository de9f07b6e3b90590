using System.Diagnostics.Metrics;
using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Diagnostics;

namespace ServerlessTracker.Storage.Tests;

[Collection(AzuriteCollection.Name)]
public sealed class WhenMeasuring(AzuriteFixture azurite)
{
    [Fact]
    public async Task TransactionsBatchesAndCacheLookupsReachTheMeter()
    {
        var seen = new Dictionary<string, long>();
        var metrics = new StorageMetrics();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this store's meter: other tests' stores publish under the same name at the same time.
            if (instrument.Meter.Name == StorageMetrics.MeterName && ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => { lock (seen) { seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value; } });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, _) => { lock (seen) { seen[instrument.Name] = seen.GetValueOrDefault(instrument.Name) + value; } });
        listener.Start();

        var options = azurite.NewTables();
        using var store = TableSwarmStore.Create(options, new SwarmSettings(), Tables.Clock(), metrics);
        await store.AnnounceAsync(Peers.Command(Peers.Hash(80), 1, PeerEvent.Started));
        await store.AnnounceAsync(Peers.Command(Peers.Hash(80), 2, PeerEvent.Started));
        listener.RecordObservableInstruments();

        var snapshot = metrics.Snapshot();
        Assert.Equal(2, snapshot.Announces);
        Assert.Equal(1, snapshot.CacheMisses);
        Assert.Equal(1, snapshot.CacheHits);
        Assert.Equal(2, snapshot.Batches);
        Assert.True(snapshot.Transactions >= 5, $"tables, a read, two batches and the index: {snapshot.Transactions}");
        lock (seen)
        {
            Assert.Equal(snapshot.Transactions, seen["tracker.storage.transactions"]);
            Assert.Equal(2, seen["tracker.storage.batches"]);
            Assert.Equal(1, seen["tracker.storage.cache.hits"]);
            Assert.True(seen["tracker.storage.batch.size"] >= 2);
        }
    }
}
