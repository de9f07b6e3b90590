using System.Net;
using ServerlessTracker.Http.Tests.Limits;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>One address may hold at most <c>Tracker:Listener:MaxSlowConnectionsPerAddress</c> slow connections: more from it are
/// closed at once, while other addresses still get theirs.</summary>
public sealed class WhenSlowClientsCrowdTheListener
{
    private static readonly byte[] HalfAHead = "GET /announce?info_hash=abc HTTP/1.1\r\nHost: tracker\r\n"u8.ToArray();

    [Fact]
    public async Task AnAddressOverItsShareIsClosedAtOnceAndOthersAreNot()
    {
        await using var tracker = await ListenerTrackers.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Listener:DeferAcceptSeconds"] = "0",
            ["Tracker:Listener:HeadTimeoutSeconds"] = "3",
            ["Tracker:Listener:MaxSlowConnectionsPerAddress"] = "2",
        });
        var listener = tracker.ListenerUri();
        var counters = tracker.ListenerCounters();

        // Two slow connections from 127.0.0.1 take its share and stay until the head timeout.
        var first = WhenClientsStallMidHead.StallAsync(listener, HalfAHead);
        var second = WhenClientsStallMidHead.StallAsync(listener, HalfAHead);
        await WaitUntil(() => counters.Slow == 2);

        // A third from it is closed unanswered at once; one from 127.0.0.2 is not.
        var (closed, elapsed, received) = await WhenClientsStallMidHead.StallAsync(listener, HalfAHead);
        Assert.True(closed);
        Assert.InRange(elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
        Assert.Equal("", received);
        Assert.Equal(1, counters.Dropped);

        var other = WhenClientsStallMidHead.StallAsync(listener, HalfAHead, IPAddress.Parse("127.0.0.2"));
        await WaitUntil(() => counters.Slow == 3);
        Assert.False(other.IsCompleted);
        Assert.Equal(1, counters.Dropped);

        // Once its connections are gone the address has its share again: a whole request in two pieces is served.
        Assert.True((await first).Closed && (await second).Closed && (await other).Closed);
        await using var connection = await RawConnection.OpenAsync(listener);
        var request = Get(Announces.AnnounceUrl(Announces.Hash(902), 1));
        await connection.SendAsync(request[..20]);
        await Task.Delay(100);
        await connection.SendAsync(request[20..]);
        Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
        Assert.Equal(1, counters.Dropped);
    }
}
