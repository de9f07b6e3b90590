using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.FastPath.WhenServingOnTheFastPath;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Listener;

/// <summary>The listener draws on the same per-address budget as Kestrel's endpoints and the fast path, with the same refusal.</summary>
public sealed class WhenClientsExceedTheirBudgetOnTheListener
{
    [Fact]
    public async Task OneBudgetCoversTheListenerAndKestrel()
    {
        await using var tracker = await ListenerTrackers.StartAsync(new()
        {
            ["Tracker:RateLimit:RequestsPerSecond"] = "1",
            ["Tracker:RateLimit:Burst"] = "4",
            ["Tracker:RateLimit:RetryInSeconds"] = "120",
        },
        configure: RunningTracker.FrozenClock);
        var hash = Hash(521);

        // Three through Kestrel, then the listener gets what is left of the same bucket.
        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, i, port: 7000 + i, left: 1))).Failure());
        }

        var answers = new List<RawResponse>();
        for (var i = 3; i < 8; i++)
        {
            answers.Add(await ListenerTrackers.ExchangeAsync(tracker.ListenerUri(), Get(AnnounceUrl(hash, i, port: 7000 + i, left: 1))));
        }

        // One token was left; the bucket earns one a second, so at most one more may come back during the test.
        // A budget of its own would have let the listener serve four.
        Assert.All(answers, a => Assert.Equal(200, a.Status));
        var refused = answers.Where(a => a.Bencode().Failure() is not null).ToList();
        Assert.InRange(refused.Count, 3, 4);
        Assert.Null(answers[0].Bencode().Failure());
        Assert.All(refused, a =>
        {
            Assert.Equal("too many requests from your address; slow down", a.Bencode().Failure());
            Assert.Equal(2, a.Bencode()["retry in"]!.Integer);
            Assert.Equal(120, a.Bencode()["interval"]!.Integer);
        });
        Assert.Equal(5, tracker.ListenerCounters().Served);

        // And Kestrel finds the budget the listener spent.
        var kestrel = new List<string?>();
        for (var i = 8; i < 10; i++)
        {
            kestrel.Add((await tracker.Client.GetBencodeAsync(AnnounceUrl(hash, i, left: 1))).Failure());
        }

        Assert.Contains("too many requests from your address; slow down", kestrel);
    }
}
