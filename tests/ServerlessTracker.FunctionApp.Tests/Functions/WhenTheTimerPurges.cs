using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.FunctionApp.Tests.Host;
using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Storage;
using ServerlessTracker.Storage.Hosting;
using ServerlessTracker.Tests.Shared;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>The <c>purge</c> timer trigger, invoked as the host invokes it on its schedule.</summary>
public sealed class WhenTheTimerPurges
{
    [Fact]
    public async Task AnInvocationRunsThePurgeAndLogsWhatItDid()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        await app.Client.GetBencodeAsync(AnnounceUrl(Hash(81), 1));

        var result = await app.Host.InvokeTimerAsync("purge");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(result.Logs, log => log.Message.StartsWith("Purge removed 0 expired peers", StringComparison.Ordinal));
        var counts = (await app.Client.GetBencodeAsync(ScrapeUrl(Hash(81))))["files"]!.Find(Hash(81))!;
        Assert.Equal(1, counts["complete"]!.Integer + counts["incomplete"]!.Integer);
    }

    [Fact]
    public async Task APastDueInvocationPurgesToo()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        var result = await app.Host.InvokeTimerAsync("purge", isPastDue: true);
        Assert.True(result.Succeeded, result.ToString());
    }
}

/// <summary>The timer on Table Storage: it removes peers that another instance stored and nobody renewed.</summary>
public sealed class WhenTheTimerPurgesTableStorage(AzuriteTables tables) : IClassFixture<AzuriteTables>
{
    [Fact]
    public async Task PeersThatExpiredElsewhereAreRemoved()
    {
        var store = new Dictionary<string, string?>(tables.NewStore()) { ["Tracker:Tables:CacheStalenessMilliseconds"] = "0" };
        await using var app = await FunctionAppUnderTest.StartAsync(store);
        var hash = Hash(82);

        // An instance that served this swarm an hour ago and then went away (scaled in): its peers were never renewed.
        var options = new TableStoreOptions
        {
            ConnectionString = store["Tracker:Tables:ConnectionString"],
            SwarmsTable = store["Tracker:Tables:SwarmsTable"]!,
            IndexTable = store["Tracker:Tables:IndexTable"]!,
        };
        using (var gone = TableSwarmStore.Create(options, new SwarmSettings(), new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(-1))))
        {
            for (var n = 1; n <= 3; n++)
            {
                var command = new AnnounceCommand(InfoHash.FromBytes(hash), ServerlessTracker.Engine.Peers.PeerId.FromBytes(PeerId(n)),
                    PeerAddress.FromIPAddress(System.Net.IPAddress.Parse($"198.51.100.{n}")), 6881, PeerEvent.Started, 0, 0, 10, 0, 0, false, AddressFamilies.Both);
                await gone.AnnounceAsync(command, new AnnounceResult(50), CancellationToken.None);
            }
        }

        // A live peer announces now, through the function app.
        await app.Client.GetBencodeAsync(AnnounceUrl(hash, 9, left: 0));

        var result = await app.Host.InvokeTimerAsync("purge");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Contains(result.Logs, log => log.Message.StartsWith("Purge removed 3 expired peers", StringComparison.Ordinal));
        var counts = (await app.Client.GetBencodeAsync(ScrapeUrl(hash)))["files"]!.Find(hash)!;
        Assert.Equal(1, counts["complete"]!.Integer);
        Assert.Equal(0, counts["incomplete"]!.Integer);
    }

    [Fact]
    public async Task APurgeDuringAStorageOutageFailsTheInvocationAndTheNextOneWorks()
    {
        // Storage that keeps its data across the outage, as a real account does.
        var data = Directory.CreateTempSubdirectory("st-azurite-");
        await using var azurite = await AzuriteServer.StartAsync(location: data.FullName);
        await using var app = await FunctionAppUnderTest.StartAsync(azurite.TrackerTables(failFast: true));
        await app.Client.GetBencodeAsync(AnnounceUrl(Hash(83), 1));

        await azurite.StopGracefullyAsync();
        var failed = await app.Host.InvokeTimerAsync("purge");
        Assert.Equal(InvocationStatus.Failure, failed.Status);

        await azurite.StartAgainAsync();
        var next = await app.Host.InvokeTimerAsync("purge");
        Assert.True(next.Succeeded, next.ToString());
        await azurite.StopAsync();
        data.Delete(recursive: true);
    }
}
