namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>Where passkeys and their figures are kept: in memory (standalone) or in Table Storage.</summary>
/// <remarks>
/// Figures are kept as one row per (passkey, instance) holding that instance's cumulative counts, written
/// only by that instance; a passkey's figures are the sum of its rows. So concurrent instances never
/// contend, retries are idempotent, and rows that sync brings from other regions (named by their region
/// and instance) simply add up.
/// </remarks>
public interface IPasskeyStore
{
    /// <summary>Every passkey, revoked ones included, with figures summed over every instance but <paramref name="excludingInstance"/>.</summary>
    ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingInstance, CancellationToken cancellationToken);

    /// <summary>Stores a new passkey (figures ignored); false when it already exists.</summary>
    ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken);

    /// <summary>Marks a passkey revoked at <paramref name="at"/> (its figures stay); false when it does not exist.</summary>
    ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Replaces <paramref name="instanceId"/>'s cumulative figures for the given passkeys.</summary>
    ValueTask SaveUsageAsync(string instanceId, IReadOnlyList<PasskeyUsage> usage, CancellationToken cancellationToken);
}
