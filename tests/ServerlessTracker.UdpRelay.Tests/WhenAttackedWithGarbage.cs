using System.Net;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.UdpRelay.Tests;

public class WhenAttackedWithGarbage : IAsyncLifetime
{
    private RelayHost _relay = null!;

    protected virtual string BatchSize => "32";

    // The per-address budget is off here: this flood is about parsing, and it all comes from one address
    // (WhenSendersExceedTheirBudget covers the budget).
    public async Task InitializeAsync() => _relay = await RelayHost.StartAsync(new Dictionary<string, string?> { ["Relay:BatchSize"] = BatchSize, ["Relay:RateLimit:PacketsPerSecond"] = "0" });

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AFloodOfRandomTruncatedAndOversizedDatagramsLeavesTheLoopServing(bool ipv6)
    {
        var tracker = ipv6 ? _relay.IPv6 : _relay.IPv4;
        using var attacker = new UdpTrackerClient(tracker);
        var random = new Random(1234);
        long sent = 0;
        for (var i = 0; i < 3000; i++)
        {
            var packet = new byte[(i % 100) switch
            {
                0 => 60_000,
                < 10 => random.Next(1000, 9000),
                _ => random.Next(0, 120),
            }];
            random.NextBytes(packet);
            if (packet.Length >= 16 && i % 3 == 0)
            {
                // Plausible headers with random ids and actions, including connect with a wrong magic.
                UdpRequestHeader.Write(packet, (ulong)random.NextInt64(), (UdpAction)random.Next(0, 5), (uint)i);
            }

            await attacker.SendAsync(packet);
            sent += packet.Length;
        }

        // Everything the attacker's unverified address got back: only 25-byte "bad connection id" errors.
        var answers = new List<byte[]>();
        while (await attacker.ReceiveAsync(TimeSpan.FromMilliseconds(300)) is { } answer)
        {
            answers.Add(answer);
        }

        Assert.All(answers, answer => Assert.True(ErrorResponse.TryRead(answer, out _, out var message) && message.SequenceEqual("bad connection id"u8)));
        Assert.True(answers.Sum(a => a.Length) < sent);

        using var client = new UdpTrackerClient(tracker);
        var id = await client.ConnectAsync();
        var infoHash = TestBytes.Twenty();
        var announced = await client.AnnounceAsync(id, infoHash, TestBytes.Twenty(), 9000, left: 3);
        Assert.Equal(1, announced.Leechers);
    }

    [Fact]
    public async Task NoUnverifiedAnswerIsEverLargerThanItsRequest()
    {
        // One loop keeps answers in request order, so a connect sent after each probe marks the end of its answers.
        // About 1,350 tokens' worth of datagrams from one new sender at once: more than a new bucket's 500, within the burst.
        await using var relay = await RelayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Relay:ReceiveLoops"] = "1",
            ["Relay:BatchSize"] = BatchSize,
            ["Relay:RateLimit:InitialTokens"] = "2000",
        });
        using var attacker = new UdpTrackerClient(relay.IPv4);
        var sentinel = new byte[16];
        ConnectRequest.Write(sentinel, 0xFFFFFFFF);
        var answered = 0;
        foreach (var action in new[] { UdpAction.Connect, UdpAction.Announce, UdpAction.Scrape, UdpAction.Error, (UdpAction)99 })
        {
            for (var length = 0; length <= 120; length++)
            {
                var packet = new byte[length];
                if (length >= 16)
                {
                    UdpRequestHeader.Write(packet, action == UdpAction.Connect ? UdpRequestHeader.ProtocolId : 0xBAD, action, 1);
                }

                await attacker.SendAsync(packet);
                await attacker.SendAsync(sentinel);
                while (await attacker.ReceiveAsync(TimeSpan.FromSeconds(3)) is { } answer && !IsSentinel(answer))
                {
                    Assert.True(answer.Length <= length, $"{action} of {length} bytes got {answer.Length} bytes");
                    answered++;
                }
            }
        }

        // Connects of 16 bytes or more, and bad ids in requests of 25 bytes or more, were answered.
        Assert.Equal((121 - 16) + (4 * (121 - 25)), answered);
    }

    private static bool IsSentinel(byte[] answer) => ConnectResponse.TryRead(answer, out var transaction, out _) && transaction == 0xFFFFFFFF;
}

public sealed class WhenAttackedWithGarbageOneDatagramAtATime : WhenAttackedWithGarbage
{
    protected override string BatchSize => "1";
}
