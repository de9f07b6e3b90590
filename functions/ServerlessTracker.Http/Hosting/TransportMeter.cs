using System.Diagnostics.Metrics;

namespace ServerlessTracker.Http.Hosting;

/// <summary>The meter on which the HTTP transports in front of the core (the connection fast path, the tracker listener) publish their counters.</summary>
public static class TransportMeter
{
    public const string Name = "ServerlessTracker.Http";

    /// <summary>An observable counter with one series per outcome, read from the transport's own counters when exported.</summary>
    internal static void Observe(IMeterFactory meters, string instrument, string description, params (string Outcome, Func<long> Read)[] outcomes)
    {
        var series = outcomes.Select(o => (o.Read, Tags: new KeyValuePair<string, object?>[] { new("outcome", o.Outcome) })).ToArray();
        meters.Create(Name).CreateObservableCounter(instrument, () => series.Select(s => new Measurement<long>(s.Read(), s.Tags)), "{connection}", description);
    }
}
