using ServerlessTracker.Bench.Trackers;
using ServerlessTracker.Bench.Workloads;

namespace ServerlessTracker.Bench.Scenarios;

/// <summary>One measured workload, run against every tracker that supports it.</summary>
/// <param name="Name">Short name used on the command line and in the table.</param>
/// <param name="Description">One line for the report.</param>
/// <param name="CpuGoal">The goal for our tracker's CPU per request as a ratio to opentracker, if any.</param>
/// <param name="Supports">Whether a tracker can run this scenario (a UDP scenario needs a UDP endpoint).</param>
/// <param name="CreateDriver">Builds the driver for one tracker; the stream seed is fixed per scenario.</param>
public sealed record Scenario(
    string Name,
    string Description,
    double? CpuGoal,
    Func<ITrackerTarget, bool> Supports,
    Func<ScenarioContext, ILoadDriver> CreateDriver);

/// <summary>What a scenario needs to build its driver.</summary>
/// <param name="RequestsPerSecond">Pacing of the offered load; 0 for a closed loop as fast as the tracker answers.</param>
public sealed record ScenarioContext(ITrackerTarget Target, Population Population, int Connections, int StreamSeed, double RequestsPerSecond);
