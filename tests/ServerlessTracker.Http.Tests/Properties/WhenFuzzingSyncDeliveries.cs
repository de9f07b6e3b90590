using System.Diagnostics.Metrics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Sync;
using ServerlessTracker.Sync.Receiving;

namespace ServerlessTracker.Http.Tests.Properties;

/// <summary>CloudEvent deliveries: any body parses to events or to "not CloudEvents", and applying what parses never throws.</summary>
public class WhenFuzzingSyncDeliveries
{
    private readonly SyncEventApplier _applier = new(
        new InMemorySwarmStore(new SwarmSettings(), TimeProvider.System, new Random(1)),
        Microsoft.Extensions.Options.Options.Create(new RegionOptions { Region = "east" }),
        new SyncMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
        TimeProvider.System);

    [Property(MaxTest = 3000)]
    public Property AnyBodyIsEventsOrNothingAndApplyingThemNeverThrows() =>
        Prop.ForAll(JsonNoise.Documents().ToArbitrary(), body =>
        {
            var events = SyncEndpoints.ParseCloudEvents(BinaryData.FromBytes(body));
            if (events is null)
            {
                return true;
            }

            var report = _applier.ApplyAsync(events, CancellationToken.None).GetAwaiter().GetResult();
            return report.Events == events.Count && report.Invalid + report.OwnRegion <= events.Count;
        });

    [Fact]
    public void AValidBatchOfEventsParses()
    {
        var body = "[" + JsonNoise.ValidEvent("/regions/west", []) + "," + JsonNoise.ValidEvent("/regions/north", []) + "]";
        Assert.Equal(2, SyncEndpoints.ParseCloudEvents(BinaryData.FromString(body))!.Count);
    }
}
