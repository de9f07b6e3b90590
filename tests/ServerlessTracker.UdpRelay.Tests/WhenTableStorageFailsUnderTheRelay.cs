using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The relay on Table Storage through an outage: Azurite stopped mid-run, then started again on its port.</summary>
public sealed class WhenTableStorageFailsUnderTheRelay : IAsyncLifetime
{
    private AzuriteServer _azurite = null!;

    public async Task InitializeAsync() => _azurite = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await _azurite.DisposeAsync();

    [Fact]
    public async Task AnnouncesAndUnreadScrapesAreToldToTryAgainLaterThenSucceedWithoutARestart()
    {
        await using var relay = await RelayHost.StartAsync(_azurite.TrackerTables(failFast: true));
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        var known = TestBytes.Twenty();
        var neverRead = TestBytes.Twenty();
        // Before the outage the store must answer; a first request on a busy machine can outlast the 1.5 s budget (it creates
        // the tables), so it may be told to try again, as a client would be.
        var warm = Stopwatch.StartNew();
        while (ErrorOf(await client.ExchangeAsync(UdpTrackerClient.AnnouncePacket(id, 10, known, TestBytes.Twenty(), 7001, 100, AnnounceEvent.Started)), allowAnswer: true) is not null)
        {
            Assert.True(warm.Elapsed < TimeSpan.FromSeconds(30), "the store never answered before the outage");
            await Task.Delay(200);
        }

        await _azurite.StopAsync();
        Assert.Equal("try again later", ErrorOf(await client.ExchangeAsync(UdpTrackerClient.AnnouncePacket(id, 11, known, TestBytes.Twenty(), 7002, 100, AnnounceEvent.Started))));
        // A swarm read before the outage is scraped from the cache; with one never read, the scrape is refused, not zeros.
        Assert.Equal((0, 0, 1), (await client.ScrapeAsync(id, known)).Single());
        Assert.Equal("try again later", ErrorOf(await client.ExchangeAsync(ScrapePacket(id, 12, known, neverRead))));

        await _azurite.StartAgainAsync();
        var clock = Stopwatch.StartNew();
        string? error;
        do
        {
            await Task.Delay(200);
            error = ErrorOf(await client.ExchangeAsync(ScrapePacket(id, 13, known, neverRead)), allowAnswer: true);
        }
        while (error is not null && clock.Elapsed < TimeSpan.FromSeconds(30));

        Assert.Null(error);
    }

    private static byte[] ScrapePacket(ulong connectionId, uint transaction, params byte[][] hashes)
    {
        var packet = new byte[16 + (20 * hashes.Length)];
        ScrapeRequestParser.Write(packet, connectionId, transaction, hashes.SelectMany(h => h).ToArray());
        return packet;
    }

    /// <summary>The message of a BEP 15 error packet (action 3); null for another answer when <paramref name="allowAnswer"/>.</summary>
    private static string? ErrorOf(byte[]? packet, bool allowAnswer = false)
    {
        Assert.NotNull(packet);
        var action = BinaryPrimitives.ReadInt32BigEndian(packet);
        if (action != 3)
        {
            Assert.True(allowAnswer, $"expected an error packet, got action {action}");
            return null;
        }

        return Encoding.ASCII.GetString(packet, 8, packet.Length - 8);
    }
}
