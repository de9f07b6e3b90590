namespace ServerlessTracker.Soak;

/// <summary>What a drill did and found. <see cref="Violations"/> empty means every promise held.</summary>
public sealed record DrillReport(
    long Sent,
    long Ok,
    long RetryLater,
    long Unreachable,
    int CompletedAcknowledged,
    int CompletedAttempted,
    long DownloadedCounted,
    int Passkeys,
    long PasskeyBytesAcknowledged,
    TimeSpan Duration,
    IReadOnlyList<string> Violations)
{
    public override string ToString() =>
        $"{Sent} announces sent in {Duration.TotalSeconds:F0} s ({Sent / Math.Max(1, Duration.TotalSeconds):F0}/s): {Ok} answered, " +
        $"{RetryLater} refused with retry in, {Unreachable} to an instance being restarted; completed: {CompletedAcknowledged} acknowledged, " +
        $"{CompletedAttempted} sent, {DownloadedCounted} counted; {Passkeys} passkeys, {PasskeyBytesAcknowledged:N0} bytes acknowledged, all accounted; " +
        $"violations: {Violations.Count}, crashes: 0";
}
