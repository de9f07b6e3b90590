using Microsoft.Extensions.Logging.Abstractions;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Hosting.Purging;

namespace ServerlessTracker.Hosting.Tests.Purging;

/// <summary>A purge run and its follow-ups (the published full scrape is one).</summary>
public sealed class WhenPurging
{
    [Fact]
    public async Task FollowUpsRunAfterThePurgeAndOneThatFailsFailsNeitherThePurgeNorTheOthers()
    {
        var order = new List<string>();
        var runner = new PurgeRunner(
            new InMemorySwarmStore(new SwarmSettings(), TimeProvider.System),
            [new FollowUp(() => { order.Add("failing"); throw new InvalidOperationException("blob storage down"); }), new FollowUp(() => order.Add("next"))],
            NullLogger<PurgeRunner>.Instance);

        var report = await runner.RunAsync(CancellationToken.None);

        Assert.NotNull(report);
        Assert.Equal(["failing", "next"], order);
    }

    private sealed class FollowUp(Action run) : IPurgeFollowUp
    {
        public Task RunAsync(CancellationToken cancellationToken)
        {
            run();
            return Task.CompletedTask;
        }
    }
}
