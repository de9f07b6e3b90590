namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>A passkey as stored: who it is for, when it was made or revoked, and its figures in bytes.</summary>
/// <param name="Uploaded">Bytes uploaded, summed over the instances the store was asked about.</param>
/// <param name="Downloaded">Bytes downloaded, summed likewise.</param>
public sealed record PasskeyRecord(
    string Passkey,
    string? Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    long Uploaded,
    long Downloaded);

/// <summary>One instance's cumulative figures for one passkey since that instance started counting.</summary>
/// <remarks>Cumulative, not a delta: writing it twice, or an older value after a newer one was lost, is harmless.</remarks>
public readonly record struct PasskeyUsage(string Passkey, long Uploaded, long Downloaded);
