using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Stores;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>The announce use case, written once for every front door (the function app, the self-hosted server's Kestrel
/// endpoint, fast path and listener, the UDP relay): policy, store, accounting and metrics. A front door parses its protocol
/// into an <see cref="AnnounceCommand"/>, calls <see cref="AnnounceAsync"/> and encodes the <see cref="AnnounceOutcome"/>.</summary>
/// <remarks>Synchronous up to the store: when the store answers at once (the in-memory store) nothing is awaited and nothing
/// is allocated; the caller owns <see cref="AnnounceResult"/> (pooled) and reads its peers after the outcome.
/// <para>What an announce may cost is decided here and in the swarm, so every front door holds to the same caps: an
/// announce naming a swarm the store does not hold (<see cref="ISwarmStore.MayHold"/>, answered from memory) is charged to
/// its address's swarm-creation budget (<paramref name="creations"/>; null: no cap), and a stop of such a swarm is answered
/// without reaching the store; the swarm itself refuses new peers beyond its caps and answers re-announces inside min
/// interval without a write (<see cref="Swarms.Swarm.Announce"/>).</para></remarks>
public sealed class AnnounceUseCase(ISwarmStore store, AnnouncePolicy policy, SwarmSettings settings, TrackerMetrics metrics, SwarmCreationBudgets? creations = null)
{
    public SwarmSettings Settings => settings;

    public AnnouncePolicy Policy => policy;

    /// <summary>The cap a <see cref="AnnounceOutcomeKind.Limited"/> announce met, as a <c>failure reason</c> (UTF-8); returns its length.</summary>
    public int WriteLimitReason(AnnounceLimit limit, Span<byte> destination)
    {
        switch (limit)
        {
            case AnnounceLimit.NewSwarms:
                return Copy("too many new torrents from your address; retry later"u8, destination);
            case AnnounceLimit.SwarmFull:
                return Copy("this torrent's swarm is full; retry later"u8, destination);
            default:
                var written = Copy("your passkey already has "u8, destination);
                System.Buffers.Text.Utf8Formatter.TryFormat(settings.MaxPeersPerPasskey, destination[written..], out var digits);
                written += digits;
                return written + Copy(" peers in this torrent; stop one of them first"u8, destination[written..]);
        }

        static int Copy(ReadOnlySpan<byte> text, Span<byte> to)
        {
            text.CopyTo(to);
            return text.Length;
        }
    }

    /// <summary>Counts an announce the front door could not parse (its own error answer follows); nothing is stored.</summary>
    public void CountBadRequest(TrackerProtocol protocol, ClientFamily family)
    {
        metrics.Announce(protocol, family);
        metrics.Failure(protocol, FailureReason.BadRequest, family);
    }

    /// <summary>Decides, stores and accounts one announce; <paramref name="result"/> is reset and then filled.</summary>
    /// <param name="passkey">The passkey as sent (ASCII bytes); empty when none.</param>
    /// <param name="command">The parsed announce, with the address the peer is recorded under.</param>
    /// <param name="connection">The address the request came from: the IP allow-list judges this, never a claimed address.</param>
    /// <param name="family">How the front door saw the client (<see cref="ClientFamilies"/>): an IPv4-mapped client of a
    /// dual-stack socket is IPv4 in <paramref name="connection"/> but counted apart.</param>
    public ValueTask<AnnounceOutcome> AnnounceAsync(
        TrackerProtocol protocol, ClientFamily family, ReadOnlySpan<byte> passkey, in AnnounceCommand command, PeerAddress connection, AnnounceResult result,
        CancellationToken cancellationToken)
    {
        metrics.Announce(protocol, family);
        var decision = policy.CheckAnnounce(passkey, command, connection);
        if (decision.ClientRule is not null || decision.Verdict == PolicyVerdict.ClientNotAllowed)
        {
            metrics.ClientRule(decision.ClientRule, decision.Verdict switch
            {
                PolicyVerdict.ClientDenied => ClientRuleOutcome.Denied,
                PolicyVerdict.ClientNotAllowed => ClientRuleOutcome.NotAllowed,
                _ => ClientRuleOutcome.Allowed,
            });
        }

        if (!decision.IsAllowed)
        {
            metrics.Failure(protocol, (FailureReason)decision.Verdict, family);
            return new(new AnnounceOutcome(AnnounceOutcomeKind.Refused, decision));
        }

        result.Reset();
        if (!store.MayHold(command.InfoHash))
        {
            if (command.Event == PeerEvent.Stopped)
            {
                // Nothing to stop: answered from memory, nothing read or written.
                metrics.Unwritten(protocol);
                return new(new AnnounceOutcome(AnnounceOutcomeKind.Answered, decision, settings.JitteredInterval(Random.Shared)));
            }

            if (creations is not null && !creations.TryTake(connection, out var retryIn))
            {
                metrics.Failure(protocol, FailureReason.NewSwarmsLimited, family);
                return new(new AnnounceOutcome(AnnounceOutcomeKind.Limited, decision, retryIn, retryIn, AnnounceLimit.NewSwarms));
            }
        }

        // A passkey's announce is accounted, and its peer carries the passkey's tag (the per-passkey cap).
        var stored = store.AnnounceAsync(decision.Account is { } account ? command with { Accounted = true, Owner = account.Tag } : command, result, cancellationToken);
        if (!stored.IsCompletedSuccessfully)
        {
            return ConcludeLaterAsync(stored, protocol, family, decision, result);
        }

        stored.GetAwaiter().GetResult();
        return new(Conclude(protocol, family, decision, result));
    }

    private async ValueTask<AnnounceOutcome> ConcludeLaterAsync(ValueTask stored, TrackerProtocol protocol, ClientFamily family, PolicyDecision decision, AnnounceResult result)
    {
        await stored.ConfigureAwait(false);
        return Conclude(protocol, family, decision, result);
    }

    private AnnounceOutcome Conclude(TrackerProtocol protocol, ClientFamily family, in PolicyDecision decision, AnnounceResult result)
    {
        AnnouncePolicy.Account(decision, result);
        switch (result.Status)
        {
            case AnnounceStatus.StoreUnavailable:
                metrics.Failure(protocol, FailureReason.StoreUnavailable, family);
                return new AnnounceOutcome(AnnounceOutcomeKind.StoreUnavailable, decision, RetryInSeconds: result.RetryInSeconds);
            case AnnounceStatus.KeyMismatch:
                metrics.Failure(protocol, FailureReason.KeyMismatch, family);
                return new AnnounceOutcome(AnnounceOutcomeKind.KeyMismatch, decision);
            case AnnounceStatus.SwarmFull:
                // Room comes back as peers stop or expire: try again after min interval.
                metrics.Failure(protocol, FailureReason.SwarmFull, family);
                return new AnnounceOutcome(AnnounceOutcomeKind.Limited, decision, settings.MinIntervalSeconds, settings.MinIntervalSeconds, AnnounceLimit.SwarmFull);
            case AnnounceStatus.PasskeyPeerLimit:
                metrics.Failure(protocol, FailureReason.PasskeyPeerLimit, family);
                return new AnnounceOutcome(AnnounceOutcomeKind.Limited, decision, settings.MinIntervalSeconds, settings.MinIntervalSeconds, AnnounceLimit.PeersPerPasskey);
            default:
                if (result.Change == PeerChange.Unchanged)
                {
                    metrics.Unwritten(protocol);
                }

                return new AnnounceOutcome(AnnounceOutcomeKind.Answered, decision, settings.JitteredInterval(Random.Shared));
        }
    }
}
