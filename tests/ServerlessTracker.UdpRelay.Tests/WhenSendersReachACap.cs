using System.Buffers.Binary;
using System.Text;
using ServerlessTracker.Protocol;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The caps an operator sets, over UDP: refused with a short error packet, nothing stored.</summary>
public sealed class WhenSendersReachACap
{
    [Fact]
    public async Task AFullSwarmAndTooManyNewSwarmsAreRefusedWithAnErrorPacket()
    {
        await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Swarm:MaxPeersPerSwarm"] = "1",
            ["Tracker:SwarmCreation:PerAddress"] = "2",
        });
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        var first = TestBytes.Twenty();
        await client.AnnounceAsync(id, first, TestBytes.Twenty(), 7001, left: 0, AnnounceEvent.Started);

        Assert.Equal("swarm is full", ErrorOf(await client.ExchangeAsync(UdpTrackerClient.AnnouncePacket(id, 21, first, TestBytes.Twenty(), 7002, 100, AnnounceEvent.Started))));
        await client.AnnounceAsync(id, TestBytes.Twenty(), TestBytes.Twenty(), 7001, left: 0, AnnounceEvent.Started);
        Assert.Equal("too many new swarms", ErrorOf(await client.ExchangeAsync(UdpTrackerClient.AnnouncePacket(id, 22, TestBytes.Twenty(), TestBytes.Twenty(), 7001, 100, AnnounceEvent.Started))));
    }

    private static string ErrorOf(byte[]? packet)
    {
        Assert.NotNull(packet);
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(packet));
        return Encoding.ASCII.GetString(packet, 8, packet.Length - 8);
    }
}
