using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessTracker.Engine.Swarms;

namespace ServerlessTracker.Engine.Tests.Properties;

/// <summary>Any sequence of announces, at any pace: the swarm agrees with a plain model, so answering re-announces
/// from the swarm never loses a completion, a stop or a change of state (and, with min interval enforced, never takes one
/// inside it but a stop and a first completion).</summary>
public class WhenFuzzingAnnounceSequences
{
    private const uint Start = 1_800_000_000;

    private sealed record Step(int Peer, PeerEvent Event, bool Seeder, int Seconds, int Port);

    private static Gen<Step> Steps() =>
        from peer in Gen.Choose(0, 7)
        from announceEvent in Gen.Frequency((6, Gen.Constant(PeerEvent.None)), (1, Gen.Constant(PeerEvent.Started)), (2, Gen.Constant(PeerEvent.Completed)), (2, Gen.Constant(PeerEvent.Stopped)))
        from seeder in Gen.Elements(true, false)
        from seconds in Gen.Frequency((5, Gen.Choose(0, 60)), (1, Gen.Choose(0, 1000)))
        from port in Gen.Frequency((9, Gen.Constant(6881)), (1, Gen.Constant(7000)))
        select new Step(peer, announceEvent, seeder, seconds, port);

    [Property(MaxTest = 500)]
    public Property TheSwarmMatchesAModelOfProcessedAnnounces() => MatchesTheModel(enforce: false);

    [Property(MaxTest = 500)]
    public Property WithMinIntervalEnforcedTheSwarmMatchesAModelThatIgnoresReannouncesInsideIt() => MatchesTheModel(enforce: true);

    /// <summary>A plain model: each peer's state, port and counted completion; with <paramref name="enforce"/>, a re-announce
    /// within min interval of the peer's last processed one changes nothing unless it is a stop or its first completion.</summary>
    private static Property MatchesTheModel(bool enforce) =>
        Prop.ForAll(Gen.Choose(1, 200).SelectMany(n => Gen.ArrayOf(Steps(), n)).ToArbitrary(), steps =>
        {
            var settings = new SwarmSettings { EnforceMinInterval = enforce };
            var swarm = new Swarm();
            var random = new Random(1);
            var model = new Dictionary<int, (bool Seeder, bool Counted, int Port, uint StoredAt)>();
            long downloaded = 0;
            var now = Start;
            foreach (var step in steps)
            {
                now += (uint)step.Seconds;
                var result = new AnnounceResult(settings.MaxNumWant);
                swarm.Announce(Peers.Announce(step.Peer, left: step.Seeder ? 0 : 10, @event: step.Event, port: (ushort)step.Port), now, settings, random, result);
                if (step.Event == PeerEvent.Stopped)
                {
                    model.Remove(step.Peer);
                    continue;
                }

                var known = model.TryGetValue(step.Peer, out var held);
                var counted = known && held.Counted;
                var firstCompletion = step.Event == PeerEvent.Completed && !counted;
                if (enforce && known && now < (long)held.StoredAt + settings.RewriteWindowSeconds && !firstCompletion)
                {
                    continue;
                }

                if (firstCompletion)
                {
                    downloaded++;
                    counted = true;
                }

                model[step.Peer] = (step.Seeder, counted, step.Port, now);
            }

            // No expiry in this model: keep every announce within one peer TTL of the last.
            var alive = now - Start < settings.PeerTtlSeconds;
            return (!alive || swarm.PeerCount == model.Count)
                && swarm.Downloaded == downloaded
                && (!alive || swarm.SeederCount == model.Count(p => p.Value.Seeder))
                && model.All(p => swarm.TryGet(Peers.Id(p.Key), out var peer, out var seeder) && seeder == p.Value.Seeder && peer.Port == p.Value.Port);
        });
}
