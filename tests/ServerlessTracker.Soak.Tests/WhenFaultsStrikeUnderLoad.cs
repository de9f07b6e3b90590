using Xunit.Abstractions;

namespace ServerlessTracker.Soak.Tests;

/// <summary>The fault drill, short: about 200 announces/s on two private-mode instances over Azurite while storage goes down
/// for 10 s, Event Grid publishing fails (closed port, then a live region) and one instance restarts.</summary>
public class WhenFaultsStrikeUnderLoad(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryAnswerIsValidNoCompletionOrPasskeyFigureIsLostAndSwarmsConverge()
    {
        var report = await FaultDrill.RunAsync(new DrillOptions { Log = output.WriteLine });
        output.WriteLine(report.ToString());

        Assert.Empty(report.Violations);

        // The faults really happened, and the load went on through them.
        Assert.True(report.RetryLater > 0, "the storage outage refused nothing");
        Assert.True(report.Unreachable > 0, "the restart of instance A was never felt");
        Assert.True(report.Ok > report.Sent / 3, $"only {report.Ok} of {report.Sent} announces answered");
        Assert.True(report.CompletedAcknowledged > 0, "no completion was acknowledged");
        Assert.InRange(report.DownloadedCounted, report.CompletedAcknowledged, report.CompletedAttempted);
        Assert.True(report.PasskeyBytesAcknowledged > 0, "no passkey figure was reported");
    }
}
