using Microsoft.Extensions.Options;

namespace ServerlessTracker.Hosting.Purging;

/// <summary>The in-process stand-in for the function app's <c>purge</c> timer trigger (registered only where it runs).</summary>
public sealed partial class PurgeTimer(PurgeRunner runner, IOptions<PurgeOptions> options, TimeProvider time, ILogger<PurgeTimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.IntervalSeconds), time);
        try
        {
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
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purge failed; retrying on the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
