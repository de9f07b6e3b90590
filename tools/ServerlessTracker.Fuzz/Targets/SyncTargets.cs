using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Http.Endpoints;
using ServerlessTracker.Sync;
using ServerlessTracker.Sync.Receiving;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Fuzz.Targets;

/// <summary>Sync deliveries: the binary batch codec, and CloudEvent JSON as the webhook parses and applies it.</summary>
internal sealed class SyncTargets
{
    private readonly SyncEventApplier _applier = new(
        new InMemorySwarmStore(new SwarmSettings(), TimeProvider.System, new Random(1)),
        Microsoft.Extensions.Options.Options.Create(new RegionOptions { Region = "east" }),
        new SyncMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>()),
        TimeProvider.System);

    public static void Batch(ReadOnlySpan<byte> input)
    {
        var updates = PeerUpdateBatchCodec.Decode(input, out var error);
        if (updates is null)
        {
            FuzzFinding.Check(error is not null, "refused without a reason");
            return;
        }

        var again = PeerUpdateBatchCodec.Decode(PeerUpdateBatchCodec.Encode(updates), out _);
        FuzzFinding.Check(again is not null && again.AsSpan().SequenceEqual(updates), "batch does not round-trip");
    }

    public void CloudEvents(ReadOnlySpan<byte> input)
    {
        var events = SyncEndpoints.ParseCloudEvents(BinaryData.FromBytes(input.ToArray()));
        if (events is not null)
        {
            var report = _applier.ApplyAsync(events, CancellationToken.None).GetAwaiter().GetResult();
            FuzzFinding.Check(report.Events == events.Count, "report lost events");
        }
    }
}
