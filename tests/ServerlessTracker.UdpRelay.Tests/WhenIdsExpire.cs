using Microsoft.Extensions.Time.Testing;

namespace ServerlessTracker.UdpRelay.Tests;

public sealed class WhenIdsExpire
{
    [Fact]
    public async Task AnIdIsServedWithinItsWindowAndRefusedAfter()
    {
        // The last second of a 120-second slot: the shortest-lived id, 180 s with the default 60 s grace.
        var clock = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_700_000_040 + 119));
        await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?> { ["Relay:ConnectionIdGraceSeconds"] = "60" }, clock);
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();

        clock.Advance(TimeSpan.FromSeconds(180));
        await client.AnnounceAsync(id, TestBytes.Twenty(), TestBytes.Twenty(), 7000, left: 1);

        clock.Advance(TimeSpan.FromSeconds(1));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => client.AnnounceAsync(id, TestBytes.Twenty(), TestBytes.Twenty(), 7000, left: 1));
        Assert.Contains("bad connection id", error.Message);
    }

    [Fact]
    public async Task InstancesSharingAKeyAcceptEachOthersIds()
    {
        var key = Convert.ToBase64String(Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray());
        var settings = new Dictionary<string, string?> { ["Relay:ConnectionIdKey"] = key };
        await using var first = await RelayHost.StartAsync(settings);
        await using var second = await RelayHost.StartAsync(settings);
        await using var stranger = await RelayHost.StartAsync(new Dictionary<string, string?> { ["Relay:ConnectionIdKey"] = Convert.ToBase64String(new byte[32]) });
        using var toFirst = new UdpTrackerClient(first.IPv4);
        var id = await toFirst.ConnectAsync();

        // Same client, other instance: the id is checked against the client's address and the shared key only.
        var refused = await toFirst.ExchangeWithAsync(stranger.IPv4, UdpTrackerClient.AnnouncePacket(id, 2, TestBytes.Twenty(), TestBytes.Twenty(), 7000, 1));
        var answer = await toFirst.ExchangeWithAsync(second.IPv4, UdpTrackerClient.AnnouncePacket(id, 3, TestBytes.Twenty(), TestBytes.Twenty(), 7000, 1))
            ?? throw new TimeoutException();

        Assert.True(ServerlessTracker.Protocol.Udp.ErrorResponse.TryRead(refused, out _, out var message));
        Assert.Equal("bad connection id"u8.ToArray(), message.ToArray());
        Assert.True(ServerlessTracker.Protocol.Udp.AnnounceResponse.TryRead(answer, out var transaction, out _, out _, out _, out _));
        Assert.Equal(3u, transaction);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(16)]
    [InlineData(31)]
    public async Task AKeyShorterThan32BytesStopsTheRelayAtStart(int bytes)
    {
        var key = Convert.ToBase64String(Enumerable.Range(1, bytes).Select(i => (byte)i).ToArray());
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RelayHost.StartAsync(new Dictionary<string, string?> { ["Relay:ConnectionIdKey"] = key }));

        Assert.Contains("Relay:ConnectionIdKey", error.Message);
        Assert.Contains("32 bytes", error.Message);
    }

    [Fact]
    public async Task AKeyThatIsNoBase64StopsTheRelayAtStart()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RelayHost.StartAsync(new Dictionary<string, string?> { ["Relay:ConnectionIdKey"] = "not base64!" }));

        Assert.Contains("Relay:ConnectionIdKey", error.Message);
    }
}
