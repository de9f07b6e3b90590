using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.FunctionApp.Tests.Functions;

/// <summary>The host ends a worker that is still starting (a scale-in or a restart during a cold start, here while it waits
/// on storage to create its tables): the worker exits cleanly, not by an abort with a core dump.</summary>
public sealed class WhenEndedWhileStarting
{
    [Fact]
    public async Task TheWorkerExitsCleanly()
    {
        using var storage = new SilentStorage();
        var app = await FunctionAppUnderTest.StartAsync(storage.TrackerTables());
        await storage.WaitForConnectionAsync(TimeSpan.FromSeconds(30));
        await app.DisposeAsync();

        var diagnostics = app.Host.Diagnostics;
        Assert.True(diagnostics.ExitCode == 0, diagnostics.Describe());
        Assert.DoesNotContain(diagnostics.WorkerOutput, line => line.Contains("Unhandled exception", StringComparison.Ordinal));
    }
}
