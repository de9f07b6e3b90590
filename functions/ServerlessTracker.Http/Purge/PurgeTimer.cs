using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Hosting;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Purge;

/// <summary>The standalone stand-in for the <c>purge</c> timer trigger: purges on a period while no Functions host drives us.</summary>
public sealed partial class PurgeTimer(PurgeRunner runner, IOptions<PurgeOptions> options, FunctionsHost host, TimeProvider time, ILogger<PurgeTimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!(options.Value.InProcessTimer ?? !host.IsHosted))
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.IntervalSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await runner.RunAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A failed run (storage down, say) must not end the timer: the next tick tries again.
                LogFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purge failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
