using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;

namespace ServerlessTracker.Storage.Operator;

/// <summary>Loads passkeys and lists before the first request, keeps them in step with their stores, and writes this
/// instance's passkey figures and IP allow-list use on a short period and at shutdown (then gives its figures slot back).</summary>
public sealed partial class PolicyMaintenanceService(AnnouncePolicy policy, IOptions<PolicySettings> settings, TimeProvider time, ILogger<PolicyMaintenanceService> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await policy.InitializeAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Storage may be down at start: serve what we have (nothing) and let the first maintenance round load it.
            LogFailed(logger, exception);
        }

        await base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await policy.Passkeys.FlushAsync(cancellationToken);
            await policy.Passkeys.ReleaseAsync(cancellationToken);
            await policy.IpAllowList.FlushAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Min(settings.Value.RefreshSeconds, settings.Value.FlushSeconds));
        using var timer = new PeriodicTimer(period, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var report = await policy.MaintainAsync(stoppingToken);
                foreach (var entry in report.IpEntriesRetired)
                {
                    LogRetired(logger, entry);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // Figures stay pending in memory and are written by a later round.
                LogFailed(logger, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Policy maintenance failed; pending figures are kept for the next round")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "IP allow-list entry {Entry} retired after its inactivity period")]
    private static partial void LogRetired(ILogger logger, string entry);
}
