using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.Sync;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Sync;

public class WhenTheSyncTargetIsDown
{
    [Fact]
    public async Task TheRegionKeepsServingAnnouncesAndCountsWhatItCouldNotPublish()
    {
        var closedPort = WhenBehindProxies.FreePort();
        var settings = TwoRegions.Settings("east", closedPort, new Dictionary<string, string?>
        {
            ["Tracker:Sync:MaxPublishAttempts"] = "2",
            ["Tracker:Sync:MaxBackoffMilliseconds"] = "50",
        });
        await using var east = await RunningTracker.StartAsync(settings, ipv6: false);

        var started = DateTime.UtcNow;
        for (var i = 0; i < 50; i++)
        {
            var answer = await east.Client.GetBencodeAsync(AnnounceUrl(Hash(70), i, port: 7000 + i, left: 1));
            Assert.Null(answer.Failure());
        }

        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "announces were slowed by the failing publisher");
        var metrics = east.Service<SyncMetrics>();
        Assert.True(await TwoRegions.EventuallyAsync(() => Task.FromResult(metrics.DroppedTotal == 50), TimeSpan.FromSeconds(10)),
            $"dropped {metrics.DroppedTotal} of 50 unpublishable changes");
        Assert.Equal(0, metrics.PublishedTotal);
    }
}
