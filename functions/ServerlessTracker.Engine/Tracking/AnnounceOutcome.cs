using ServerlessTracker.Engine.Policy;

namespace ServerlessTracker.Engine.Tracking;

/// <summary>How an announce ended, for a front door to encode in its protocol.</summary>
public enum AnnounceOutcomeKind : byte
{
    /// <summary>Stored (or answered from the swarm); the result holds counts and peers.</summary>
    Answered = 0,

    /// <summary>The policy refused it (<see cref="AnnounceOutcome.Decision"/> says why); nothing stored.</summary>
    Refused,

    /// <summary>The peer id belongs to a peer that announced a <c>key</c>, and this request did not repeat it; nothing stored.</summary>
    KeyMismatch,

    /// <summary>Storage could not take it in time; answer with <see cref="AnnounceOutcome.RetryInSeconds"/>, nothing stored.</summary>
    StoreUnavailable,

    /// <summary>A cap the operator set refused it (<see cref="AnnounceOutcome.Limit"/> says which); answer with
    /// <see cref="AnnounceOutcome.Interval"/> and <see cref="AnnounceOutcome.RetryInSeconds"/>, nothing stored.</summary>
    Limited,
}

/// <summary>Which cap refused an announce (<see cref="AnnounceOutcomeKind.Limited"/>).</summary>
public enum AnnounceLimit : byte
{
    None = 0,

    /// <summary>The address created its <see cref="SwarmCreationSettings.PerAddress"/> swarms within the window.</summary>
    NewSwarms,

    /// <summary>The swarm holds <see cref="SwarmSettings.MaxPeersPerSwarm"/> peers.</summary>
    SwarmFull,

    /// <summary>The passkey has <see cref="SwarmSettings.MaxPeersPerPasskey"/> peers in the swarm.</summary>
    PeersPerPasskey,
}

/// <summary>The protocol-neutral end of one announce: what happened, and what the answer needs besides the result's peers.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Decision">The policy's decision (its verdict explains a refusal; its account was credited when answered).</param>
/// <param name="Interval">Seconds until the next regular announce (jittered), for an answer.</param>
/// <param name="RetryInSeconds">Seconds to wait after <see cref="AnnounceOutcomeKind.StoreUnavailable"/> (0 when the store
/// gave none) or <see cref="AnnounceOutcomeKind.Limited"/>.</param>
/// <param name="Limit">The cap that refused a <see cref="AnnounceOutcomeKind.Limited"/> announce.</param>
public readonly record struct AnnounceOutcome(AnnounceOutcomeKind Kind, PolicyDecision Decision, int Interval = 0, int RetryInSeconds = 0, AnnounceLimit Limit = AnnounceLimit.None);
