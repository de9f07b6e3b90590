namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>A passkey as stored: who it is for, when it was made or revoked, and its figures in bytes.</summary>
/// <param name="Uploaded">Bytes uploaded, summed over the origins the store was asked about.</param>
/// <param name="Downloaded">Bytes downloaded, summed likewise.</param>
public sealed record PasskeyRecord(
    string Passkey,
    string? Name,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt,
    long Uploaded,
    long Downloaded)
{
    /// <summary>This record merged with another copy of the same passkey (from another region, in any order): the known
    /// name, the earliest creation and the earliest revocation win; figures are not merged here.</summary>
    public PasskeyRecord Merge(PasskeyRecord other) => this with
    {
        Name = Name ?? other.Name,
        CreatedAt = other.CreatedAt < CreatedAt ? other.CreatedAt : CreatedAt,
        RevokedAt = (RevokedAt, other.RevokedAt) switch
        {
            ({ } mine, { } theirs) => theirs < mine ? theirs : mine,
            (null, var theirs) => theirs,
            (var mine, null) => mine,
        },
    };
}

/// <summary>One origin's cumulative figures for one passkey: what one instance of one region counted since it started.</summary>
/// <remarks>Cumulative, not a delta: writing it twice, or an older one after a newer one, changes nothing once stores keep
/// the newest version per (passkey, origin), and a passkey's figures are the sum over its origins.</remarks>
/// <param name="Origin">The instance that counted (<see cref="UsageOrigin"/>): one row per origin per passkey.</param>
/// <param name="Version">Grows with every snapshot of that origin; a stored snapshot is replaced only by a newer one.</param>
public readonly record struct UsageSnapshot(string Passkey, string Origin, long Uploaded, long Downloaded, long Version);

/// <summary>Names of the figures rows' writers. A process of the tracker writes under a leased slot of its region,
/// <c>{region}-slot{0000}</c>, which the next process takes over once it is free (so a region has as many origins as it
/// ever ran processes at once, not as many as it ever started); <c>{region}-{32 hex digits}</c> is the older, one-per-process form.</summary>
public static class UsageOrigin
{
    private const int InstanceLength = 32;
    private const string SlotTag = "-slot";
    private const int SlotDigits = 4;

    /// <summary>Longest origin accepted, in characters.</summary>
    public const int MaxLength = 100;

    /// <summary>Slots a region may have: <c>slot0000</c> to <c>slot9999</c>.</summary>
    public const int MaxSlots = 10_000;

    /// <summary>A new one-per-process origin in <paramref name="region"/> (a name no one else will ever use).</summary>
    public static string Create(string region) => region + "-" + Guid.NewGuid().ToString("N");

    /// <summary>The origin of slot <paramref name="slot"/> (0 to <see cref="MaxSlots"/> − 1) in <paramref name="region"/>.</summary>
    public static string ForSlot(string region, int slot) =>
        region + SlotTag + slot.ToString("D4", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The first name of <paramref name="region"/>'s slots and the first name after them, for range queries.</summary>
    public static (string From, string To) SlotRange(string region) => (region + SlotTag, region + "-slou");

    /// <summary>The region an origin made by <see cref="Create"/> or <see cref="ForSlot"/> belongs to; null for any other name.</summary>
    public static string? RegionOf(string origin)
    {
        var slot = origin.Length - SlotDigits - SlotTag.Length;
        if (slot > 0 && origin.AsSpan(slot, SlotTag.Length).SequenceEqual(SlotTag) && IsDigits(origin.AsSpan(origin.Length - SlotDigits)))
        {
            return origin[..slot];
        }

        return origin.Length > InstanceLength + 1 && origin[^(InstanceLength + 1)] == '-' ? origin[..^(InstanceLength + 1)] : null;
    }

    /// <summary>Whether <paramref name="origin"/> can name a figures row: 1 to 100 letters, digits and dashes.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> origin)
    {
        if (origin.IsEmpty || origin.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in origin)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>What a passkey store read for a refresh: everything (<see cref="Full"/>), or what changed since a cursor.</summary>
/// <param name="Full">Every passkey and figures row is listed: a passkey missing from it is gone.</param>
/// <param name="Passkeys">Passkeys as stored (figures not set); a revocation alone comes with a null name.</param>
/// <param name="Usage">Figures rows, each with its version: keep the newest per (passkey, origin).</param>
/// <param name="Cursor">Where the next read continues (opaque to the caller).</param>
public sealed record PasskeyChanges(bool Full, IReadOnlyList<PasskeyRecord> Passkeys, IReadOnlyList<UsageSnapshot> Usage, string Cursor);
