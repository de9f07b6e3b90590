using ServerlessTracker.Bench.Http;

namespace ServerlessTracker.Bench.Scenarios;

/// <summary>What a driver saw: answers in the measured window, their latency, and the validation of every answer.</summary>
/// <param name="Measured">Answers completed inside the measured window.</param>
/// <param name="Seconds">Length of the measured window.</param>
/// <param name="Latency">Latency percentiles of the measured answers.</param>
/// <param name="Validation">Judgement of every answer, warm-up included.</param>
/// <param name="Issued">Requests taken from the stream (warm-up, window and in flight).</param>
/// <param name="Checkpoints">Stream digests every <see cref="Workloads.RequestStream.CheckpointInterval"/> requests.</param>
/// <param name="Connects">TCP connections opened.</param>
/// <param name="MeasuredConnects">TCP connections opened for requests sent inside the window.</param>
/// <param name="ServerClosedKeptAliveConnections">The server dropped connections the client wanted to keep.</param>
public sealed record LoadResult(
    long Measured,
    double Seconds,
    LatencySummary Latency,
    ResponseValidator Validation,
    long Issued,
    IReadOnlyList<ulong> Checkpoints,
    long Connects,
    long MeasuredConnects,
    bool ServerClosedKeptAliveConnections)
{
    public double RequestsPerSecond => Seconds > 0 ? Measured / Seconds : 0;
}
