using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Storage.History;

namespace ServerlessTracker.Storage.Tests.History;

/// <summary>Each instance's stats history in one row of its region's partition, read back per region.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class WhenSharingStatsHistory(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private TableStatsHistoryStore Store(string table, string instance, TimeProvider time) =>
        new(new TableServiceClient(azurite.Server.ConnectionString), table, instance, time);

    private static HistorySample[] Minutes(int count, double http, int first = 0)
    {
        var samples = new HistorySample[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = new HistorySample(Noon.AddMinutes(first + i), http + i, 0.5, 100 + i, 7);
        }

        return samples;
    }

    private static string NewTable() => "stats" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task ARegionReadsOneRowPerInstanceAndNoOtherRegions()
    {
        var table = NewTable();
        var time = new FakeTimeProvider(Noon.AddMinutes(10));
        var a = Store(table, "a", time);
        await a.WriteAsync("westeurope", Minutes(10, 1), default);
        await Store(table, "b", time).WriteAsync("westeurope", Minutes(5, 20, first: 5), default);
        await Store(table, "c", time).WriteAsync("eastus", Minutes(10, 300), default);

        var region = (await a.ReadAsync("westeurope", TimeSpan.FromHours(1), default)).OrderBy(i => i.Instance).ToList();

        Assert.Equal(["a", "b"], region.Select(i => i.Instance));
        Assert.Equal(Minutes(10, 1), region[0].Samples);
        Assert.Equal(Minutes(5, 20, first: 5), region[1].Samples);
        Assert.Equal(Noon.AddMinutes(10), region[1].UpdatedAt);
    }

    [Fact]
    public async Task EachWriteReplacesTheInstancesRow()
    {
        var table = NewTable();
        var time = new FakeTimeProvider(Noon);
        var a = Store(table, "a", time);
        await a.WriteAsync("westeurope", Minutes(3, 1), default);
        await a.WriteAsync("westeurope", Minutes(3, 1, first: 1), default);

        var instance = Assert.Single(await a.ReadAsync("westeurope", TimeSpan.FromHours(1), default));
        Assert.Equal(Minutes(3, 1, first: 1), instance.Samples);
        var rows = new TableClient(azurite.Server.ConnectionString, table).QueryAsync<TableEntity>();
        Assert.Equal(1, await rows.CountAsync());
    }

    [Fact]
    public async Task AnInstanceGoneLongerThanTheHistoryIsDroppedAndItsRowDeleted()
    {
        var table = NewTable();
        var time = new FakeTimeProvider(Noon);
        await Store(table, "gone", time).WriteAsync("westeurope", Minutes(3, 1), default);
        time.Advance(TimeSpan.FromMinutes(61));
        var live = Store(table, "live", time);
        await live.WriteAsync("westeurope", Minutes(3, 1, first: 60), default);

        Assert.Equal(["live"], (await live.ReadAsync("westeurope", TimeSpan.FromHours(1), default)).Select(i => i.Instance));
        var rows = new TableClient(azurite.Server.ConnectionString, table).QueryAsync<TableEntity>();
        Assert.Equal(["live"], await rows.Select(r => r.RowKey).ToListAsync());
    }

    [Fact]
    public void SamplesRoundTripAndATruncatedTailIsIgnored()
    {
        var samples = Minutes(4, 2.25);
        var bytes = TableStatsHistoryStore.Encode(samples);
        Assert.Equal(160, bytes.Length);
        Assert.Equal(samples, TableStatsHistoryStore.Decode(bytes));
        Assert.Equal(samples[..3], TableStatsHistoryStore.Decode(bytes[..^7]));
        Assert.Empty(TableStatsHistoryStore.Decode(null));
    }

    [Theory]
    [InlineData("westeurope", "h-westeurope")]
    [InlineData("west-eu-2", "h-west-eu-2")]
    [InlineData("a/b#c?", "h-a_2Fb_23c_3F")]
    [InlineData("é", "h-_C3_A9")]
    public void TheRegionNeverPutsRawTextInAKey(string region, string key) => Assert.Equal(key, TableStatsHistoryStore.PartitionKey(region));
}
