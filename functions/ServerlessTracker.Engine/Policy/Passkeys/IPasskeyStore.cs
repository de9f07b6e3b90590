namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>Where passkeys and their figures are kept: in memory (standalone) or in Table Storage.</summary>
/// <remarks>
/// <para>Figures are kept as one row per (passkey, origin) holding that origin's cumulative counts (<see cref="UsageSnapshot"/>);
/// a passkey's figures are the sum of its rows. An origin is a slot of a region that one process at a time leases
/// (<see cref="LeaseOriginAsync"/>): a process continues the rows it took over (<see cref="ClaimUsageAsync"/>) and replaces
/// them with its cumulative figures (<see cref="SaveUsageAsync"/>), each write guarded so that a row another holder wrote in
/// between is never overwritten (the writer then leases another slot for what it has not saved). So the rows of a region number its processes at
/// once, not every process it ever started, and retried or duplicated writes count nothing twice. Rows of other regions'
/// origins arrive by sync (<see cref="MergeUsageAsync"/>) and replace a row only when newer.</para>
/// <para>Every change is also written to a journal that <see cref="ReadChangesAsync"/> reads from a cursor, so instances
/// keep in step by reading what changed, not every passkey.</para>
/// </remarks>
public interface IPasskeyStore
{
    /// <summary>Every passkey, revoked ones included, with figures summed over every origin but <paramref name="excludingOrigin"/>.</summary>
    ValueTask<IReadOnlyList<PasskeyRecord>> ListAsync(string? excludingOrigin, CancellationToken cancellationToken);

    /// <summary>Everything (<paramref name="cursor"/> null, or too old to continue from) or what changed since the cursor.</summary>
    ValueTask<PasskeyChanges> ReadChangesAsync(string? cursor, CancellationToken cancellationToken);

    /// <summary>Stores a new passkey (figures ignored); false when it already exists.</summary>
    ValueTask<bool> CreateAsync(PasskeyRecord record, CancellationToken cancellationToken);

    /// <summary>Marks a passkey revoked at <paramref name="at"/> (its figures stay); false when it does not exist.</summary>
    ValueTask<bool> RevokeAsync(string passkey, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Takes a passkey as another region knows it: stored when missing, otherwise merged (<see cref="PasskeyRecord.Merge"/>);
    /// figures ignored. True when something changed.</summary>
    ValueTask<bool> MergeAsync(PasskeyRecord record, CancellationToken cancellationToken);

    /// <summary>Leases the lowest free slot of <paramref name="region"/> (never leased, released, or expired by
    /// <paramref name="now"/>) to <paramref name="holder"/> until <paramref name="until"/>; its origin name, or null when
    /// every slot is taken.</summary>
    ValueTask<string?> LeaseOriginAsync(string region, string holder, DateTimeOffset now, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Extends <paramref name="holder"/>'s lease; false when another holder has taken the slot meanwhile.</summary>
    ValueTask<bool> RenewOriginAsync(string origin, string holder, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Gives the slot back (a process stopping), so the next process takes it at once.</summary>
    ValueTask ReleaseOriginAsync(string origin, string holder, CancellationToken cancellationToken);

    /// <summary>Reads <paramref name="origin"/>'s row of <paramref name="passkey"/> for <paramref name="holder"/> to continue
    /// from (null: no row yet); the holder's next save of that row succeeds only if nobody wrote it since.</summary>
    ValueTask<UsageSnapshot?> ClaimUsageAsync(string passkey, string origin, string holder, CancellationToken cancellationToken);

    /// <summary>Replaces rows <paramref name="holder"/> claimed or wrote with its cumulative figures, in order.</summary>
    /// <returns>How many were saved: fewer than all when the next row was written by another holder since (the origin is
    /// no longer <paramref name="holder"/>'s; the rest were not attempted).</returns>
    ValueTask<int> SaveUsageAsync(IReadOnlyList<UsageSnapshot> usage, string holder, CancellationToken cancellationToken);

    /// <summary>Takes other regions' snapshots: each replaces its origin's row only when its version is newer, and is kept
    /// even before its passkey is known here. Returns how many replaced a row.</summary>
    ValueTask<int> MergeUsageAsync(IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken);

    /// <summary>Every stored snapshot, for resyncing other regions.</summary>
    ValueTask<IReadOnlyList<UsageSnapshot>> ListUsageAsync(CancellationToken cancellationToken);
}
