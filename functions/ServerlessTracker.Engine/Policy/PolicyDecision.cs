using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Engine.Policy;

/// <summary>The policy's answer for one request: a verdict and, when a passkey was recognised, its account.</summary>
/// <remarks>A value, not an exception: refusals are ordinary answers (a bencoded <c>failure reason</c> or a UDP error packet).</remarks>
public readonly struct PolicyDecision
{
    public PolicyDecision(PolicyVerdict verdict, PasskeyAccount? account = null, ClientRule? clientRule = null, TransferFactors factors = default)
    {
        Verdict = verdict;
        Account = account;
        ClientRule = clientRule;
        Factors = factors;
    }

    public PolicyVerdict Verdict { get; }

    /// <summary>The recognised passkey's live account; null without a (known) passkey.</summary>
    public PasskeyAccount? Account { get; }

    /// <summary>The client rule that decided: the deny rule that refused, or the allow rule that let the client in.</summary>
    public ClientRule? ClientRule { get; }

    /// <summary>What the account is credited with of the announce's transfer (the torrent's factors or the defaults); unfactored by default.</summary>
    public TransferFactors Factors { get; }

    public bool IsAllowed => Verdict == PolicyVerdict.Allowed;

    public static PolicyDecision Allow(PasskeyAccount? account) => new(PolicyVerdict.Allowed, account);
}
