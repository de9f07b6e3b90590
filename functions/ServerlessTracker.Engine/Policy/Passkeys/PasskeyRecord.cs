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

/// <summary>Names of the instances that count passkey figures: <c>{region}-{32 hex digits}</c>, new for every process.</summary>
public static class UsageOrigin
{
    private const int InstanceLength = 32;

    /// <summary>Longest origin accepted, in characters.</summary>
    public const int MaxLength = 100;

    /// <summary>A new origin for this process in <paramref name="region"/>.</summary>
    public static string Create(string region) => region + "-" + Guid.NewGuid().ToString("N");

    /// <summary>The region an origin made by <see cref="Create"/> belongs to; null for any other name.</summary>
    public static string? RegionOf(string origin) =>
        origin.Length > InstanceLength + 1 && origin[^(InstanceLength + 1)] == '-' ? origin[..^(InstanceLength + 1)] : null;

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
}
