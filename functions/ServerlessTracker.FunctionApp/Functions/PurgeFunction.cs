using Microsoft.Azure.Functions.Worker;
using ServerlessTracker.Hosting.Purging;

namespace ServerlessTracker.FunctionApp.Functions;

/// <summary>Removes expired peers and empty swarms on the schedule in the <c>PurgeSchedule</c> app setting (NCRONTAB, UTC).</summary>
/// <remarks>The host's timer holds a storage lock, so one instance purges at a time however far the app scales out; a run
/// that fails (storage down) fails the invocation, and the next tick tries again.</remarks>
public sealed class PurgeFunction(PurgeRunner runner)
{
    [Function("purge")]
    public async Task Run([TimerTrigger("%PurgeSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await runner.RunAsync(cancellationToken);
    }
}
