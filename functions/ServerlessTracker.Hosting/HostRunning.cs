namespace ServerlessTracker.Hosting;

/// <summary>How every tracker process runs its host.</summary>
public static class HostRunning
{
    /// <summary>
    /// Runs <paramref name="host"/> until it stops. A stop requested while it is still starting (SIGTERM, or the Functions
    /// host ending the worker's stream during a cold start) cancels the start; the generic host then throws that
    /// cancellation out of <c>Run</c>, which would abort the process (exit 134, a core dump) instead of ending it cleanly.
    /// </summary>
    public static void RunUntilStopped(this IHost host)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        try
        {
            host.Run();
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Asked to stop before the start completed: nothing was served yet, nothing is left to do.
        }
    }
}
