namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>Where passkeys and their figures are kept: in memory (standalone) or in Table Storage.</summary>
/// <remarks>
/// Figures are kept as one row per (passkey, origin) holding that origin's cumulative counts (<see cref="UsageSnapshot"/>);
/// a passkey's figures are the sum of its rows. An instance writes its own rows (<see cref="SaveUsageAsync"/>); rows of
/// other regions' instances arrive by sync (<see cref="MergeUsageAsync"/>) and replace a row only when newer. So
/// concurrent instances never contend, and retried, replayed or reordered writes count nothing twice.
/// </remarks>
public interface IPasskeyStore
{
    /// <summary>Every passkey, revoked ones included, with figures summed over every origin but <paramref name="excludingOrigin"/>.</summary>
    ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken);

    /// <summary>Stores a new passkey (figures ignored); false when it already exists.</summary>
    ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken);

    /// <summary>Marks a passkey revoked at <paramref name="at"/> (its figures stay); false when it does not exist.</summary>
    ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Takes a passkey as another region knows it: stored when missing, otherwise merged (<see cref="PasskeyRecord.Merge"/>);
    /// figures ignored. True when something changed.</summary>
    ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken);

    /// <summary>Replaces this instance's own rows (only it writes them) with its latest snapshots.</summary>
    ValueTask SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken);

    /// <summary>Takes other instances' snapshots: each replaces its origin's row only when its version is newer, and is kept
    /// even before its passkey is known here. Returns how many replaced a row.</summary>
    ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken);

    /// <summary>Every stored snapshot, for resyncing other regions.</summary>
    ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken);
}
