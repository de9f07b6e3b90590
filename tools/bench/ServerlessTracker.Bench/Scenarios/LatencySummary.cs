namespace ServerlessTracker.Bench.Scenarios;

/// <summary>Latency percentiles in milliseconds (exact: computed from every measured answer).</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double Max)
{
    /// <summary>Builds the summary from latencies in units of 100 ns; sorts the list in place.</summary>
    public static LatencySummary From(List<int> latencies)
    {
        if (latencies.Count == 0)
        {
            return new LatencySummary(double.NaN, double.NaN, double.NaN, double.NaN);
        }

        latencies.Sort();
        return new LatencySummary(At(0.50), At(0.90), At(0.99), latencies[^1] / 10_000.0);

        double At(double quantile) => latencies[(int)Math.Min(latencies.Count - 1, Math.Ceiling(quantile * latencies.Count) - 1)] / 10_000.0;
    }
}
