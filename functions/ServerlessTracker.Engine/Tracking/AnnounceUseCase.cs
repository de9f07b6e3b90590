using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>The announce use case, written once for every front door (the function app, the self-hosted server's Kestrel
/// endpoint, fast path and listener, the UDP relay): policy, store, accounting and metrics. A front door parses its protocol
/// into an <see cref="AnnounceCommand"/>, calls <see cref="AnnounceAsync"/> and encodes the <see cref="AnnounceOutcome"/>.</summary>
/// <remarks>Synchronous up to the store: when the store answers at once (the in-memory store) nothing is awaited and nothing
/// is allocated; the caller owns <see cref="AnnounceResult"/> (pooled) and reads its peers after the outcome.</remarks>
public sealed class AnnounceUseCase(ISwarmStore store, AnnouncePolicy policy, SwarmSettings settings, TrackerMetrics metrics)
{
    public SwarmSettings Settings => settings;

    public AnnouncePolicy Policy => policy;

    /// <summary>Counts an announce the front door could not parse (its own error answer follows); nothing is stored.</summary>
    public void CountBadRequest(TrackerProtocol protocol)
    {
        metrics.Announce(protocol);
        metrics.Failure(protocol, FailureReason.BadRequest);
    }

    /// <summary>Decides, stores and accounts one announce; <paramref name="result"/> is reset and then filled.</summary>
    /// <param name="passkey">The passkey as sent (ASCII bytes); empty when none.</param>
    /// <param name="command">The parsed announce, with the address the peer is recorded under.</param>
    /// <param name="connection">The address the request came from: the IP allow-list judges this, never a claimed address.</param>
    public ValueTask<AnnounceOutcome> AnnounceAsync(
        TrackerProtocol protocol, ReadOnlySpan<byte> passkey, in AnnounceCommand command, PeerAddress connection, AnnounceResult result, CancellationToken cancellationToken)
    {
        metrics.Announce(protocol);
        var decision = policy.CheckAnnounce(passkey, command, connection);
        if (!decision.IsAllowed)
        {
            metrics.Failure(protocol, (FailureReason)decision.Verdict);
            return new(new AnnounceOutcome(AnnounceOutcomeKind.Refused, decision));
        }

        result.Reset();

        // A passkey's announce is accounted: the engine then stores it whenever its counters move, even inside min interval.
        var stored = store.AnnounceAsync(decision.Account is null ? command : command with { Accounted = true }, result, cancellationToken);
        if (!stored.IsCompletedSuccessfully)
        {
            return ConcludeLaterAsync(stored, protocol, decision, result);
        }

        stored.GetAwaiter().GetResult();
        return new(Conclude(protocol, decision, result));
    }

    private async ValueTask<AnnounceOutcome> ConcludeLaterAsync(ValueTask stored, TrackerProtocol protocol, PolicyDecision decision, AnnounceResult result)
    {
        await stored.ConfigureAwait(false);
        return Conclude(protocol, decision, result);
    }

    private AnnounceOutcome Conclude(TrackerProtocol protocol, in PolicyDecision decision, AnnounceResult result)
    {
        AnnouncePolicy.Account(decision, result);
        switch (result.Status)
        {
            case AnnounceStatus.StoreUnavailable:
                metrics.Failure(protocol, FailureReason.StoreUnavailable);
                return new AnnounceOutcome(AnnounceOutcomeKind.StoreUnavailable, decision, RetryInSeconds: result.RetryInSeconds);
            case AnnounceStatus.KeyMismatch:
                metrics.Failure(protocol, FailureReason.KeyMismatch);
                return new AnnounceOutcome(AnnounceOutcomeKind.KeyMismatch, decision);
            default:
                return new AnnounceOutcome(AnnounceOutcomeKind.Answered, decision, settings.JitteredInterval(Random.Shared));
        }
    }
}
