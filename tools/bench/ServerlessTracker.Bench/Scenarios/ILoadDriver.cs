namespace ServerlessTracker.Bench.Scenarios;

/// <summary>
/// Drives one tracker with one workload until stopped (or until its workload ends). The runner calls
/// <see cref="BeginMeasure"/> after the warm-up and <see cref="EndMeasure"/> after the measured window, reading
/// the tracker's CPU counters at the same instants. A UDP driver (BEP 15) plugs in here the same way.
/// </summary>
public interface ILoadDriver
{
    Task RunAsync(CancellationToken stop);

    void BeginMeasure();

    void EndMeasure();

    LoadResult Result();
}
