using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine;

/// <summary>One announce, protocol-neutral: what HTTP and UDP both hand to the engine.</summary>
/// <param name="NumWant">Peers asked for; negative for the default.</param>
/// <param name="Families">Address families the answer may carry.</param>
public readonly record struct AnnounceCommand(
    InfoHash InfoHash,
    PeerId PeerId,
    PeerAddress Address,
    ushort Port,
    PeerEvent Event,
    long Uploaded,
    long Downloaded,
    long Left,
    int NumWant,
    uint Key,
    bool HasKey,
    AddressFamilies Families)
{
    public bool IsSeeder => Left == 0;

    /// <summary>This announce's transfer is accounted to a passkey: a change of its counters is stored at once, never
    /// answered from the swarm, so every byte reported is counted even when the session ends without a <c>stopped</c>.</summary>
    public bool Accounted { get; init; }

    /// <summary><see cref="Address"/> is what the client claimed (<c>ip=</c>, honoured by the operator's choice), not the address the
    /// request came from: the key rule then treats the announce as coming from elsewhere, so a claim cannot stand in for the key.</summary>
    public bool AddressClaimed { get; init; }

    /// <summary>The passkey this announce is accounted to, as its <see cref="Policy.Passkeys.PasskeyAccount.Tag"/>; 0 for none.
    /// The swarm keeps it with the peer, to hold a passkey to <see cref="SwarmSettings.MaxPeersPerPasskey"/>.</summary>
    public uint Owner { get; init; }
}
