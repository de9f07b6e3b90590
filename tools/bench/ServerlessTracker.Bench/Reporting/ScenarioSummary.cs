using ServerlessTracker.Bench.Running;
using ServerlessTracker.Bench.Scenarios;

namespace ServerlessTracker.Bench;

/// <summary>One scenario on one tracker over all rounds: the median of each figure, and the spread of CPU per request.</summary>
public sealed record ScenarioSummary(
    Scenario Scenario,
    string Tracker,
    int Rounds,
    double RequestsPerSecond,
    double P50,
    double P99,
    double CpuMicrosecondsPerRequest,
    double CpuMin,
    double CpuMax,
    double TrackerCoreBusy,
    double OtherOnTrackerCore,
    double LoadCoreBusy,
    double OtherOnLoadCores,
    long PeakRssBytes,
    long Failures)
{
    public static IReadOnlyList<ScenarioSummary> From(IEnumerable<ScenarioRow> rows) =>
        rows.GroupBy(r => (r.Scenario.Name, r.Tracker))
            .Select(g =>
            {
                var list = g.ToList();
                return new ScenarioSummary(
                    list[0].Scenario,
                    list[0].Tracker,
                    list.Count,
                    Median(list, r => r.Load.RequestsPerSecond),
                    Median(list, r => r.Load.Latency.P50),
                    Median(list, r => r.Load.Latency.P99),
                    Median(list, r => r.CpuMicrosecondsPerRequest),
                    list.Min(r => r.CpuMicrosecondsPerRequest),
                    list.Max(r => r.CpuMicrosecondsPerRequest),
                    Median(list, r => r.TrackerCoreBusy),
                    Median(list, r => r.OtherOnTrackerCore),
                    Median(list, r => r.LoadCoreBusy),
                    Median(list, r => r.OtherOnLoadCores),
                    list.Max(r => r.PeakRssBytes),
                    list.Sum(r => r.Failures));
            })
            .ToList();

    private static double Median(List<ScenarioRow> rows, Func<ScenarioRow, double> figure)
    {
        var values = rows.Select(figure).Order().ToList();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
