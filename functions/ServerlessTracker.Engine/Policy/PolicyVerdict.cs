namespace ServerlessTracker.Engine.Policy;

/// <summary>What the policy says about a request: allowed, or refused and why.</summary>
public enum PolicyVerdict : byte
{
    Allowed = 0,

    /// <summary>Private mode and no passkey in the path.</summary>
    PasskeyRequired,

    /// <summary>A passkey this tracker does not know.</summary>
    PasskeyUnknown,

    /// <summary>A passkey the operator revoked.</summary>
    PasskeyRevoked,

    /// <summary>Allow-list-only mode and the torrent is not on the allow list.</summary>
    InfoHashNotAllowed,

    /// <summary>The torrent is on the deny list.</summary>
    InfoHashDenied,

    /// <summary>The IP allow-list is on and the client's address is not on it (or its entry expired).</summary>
    AddressNotAllowed,

    /// <summary>Leech control: the passkey's ratio is below the minimum.</summary>
    RatioTooLow,

    /// <summary>Client rules: allow rules exist and none matches the client's peer_id (values after <see cref="Diagnostics.FailureReason"/>'s own).</summary>
    ClientNotAllowed = 16,

    /// <summary>Client rules: a deny rule matches the client's peer_id.</summary>
    ClientDenied = 17,
}
