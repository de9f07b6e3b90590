namespace ServerlessTracker.Engine.Policy.Factors;

/// <summary>One torrent's transfer factors (freeleech, half-leech, double upload), or their removal.</summary>
/// <param name="Hash">The 20 bytes clients announce: a v1 hash, or a v2 hash truncated as BEP 52 hybrids and v2 clients announce it.</param>
/// <param name="Given">The hash as the operator gave it: 40 hex digits (v1) or 64 (v2).</param>
/// <param name="UploadPercent">Upload credited, in percent of what was uploaded; null: the global default (<c>Tracker:Private:UploadFactorPercent</c>).</param>
/// <param name="DownloadPercent">Download credited, in percent of what was downloaded; null: the global default (<c>Tracker:Private:DownloadFactorPercent</c>).</param>
/// <param name="From">When the factors start to apply (a "freeleech weekend"); null: at once.</param>
/// <param name="Until">When they stop applying (exclusive); null: until removed. Outside the window the global defaults apply.</param>
/// <param name="Version">The version of the last change to the hash's factors (<see cref="ChangeVersion"/>): the later change wins everywhere.</param>
/// <param name="Removed">A removal, kept as a tombstone for <see cref="ChangeVersion.TombstoneRetention"/>.</param>
public sealed record TorrentFactor(
    InfoHash Hash,
    string Given,
    int? UploadPercent,
    int? DownloadPercent,
    string? Note,
    DateTimeOffset AddedAt,
    DateTimeOffset? From = null,
    DateTimeOffset? Until = null,
    long Version = 0,
    bool Removed = false)
{
    /// <summary>Whether this change replaces <paramref name="stored"/> (the same hash).</summary>
    public bool Supersedes(TorrentFactor stored) => ChangeVersion.Supersedes(Version, Removed, stored.Version, stored.Removed);

    /// <summary>Whether the figures make sense: each factor absent or 0 to 1000, at least one given, a window that ends after it starts.</summary>
    public bool IsValid =>
        (UploadPercent is null || TransferFactors.IsValidPercent(UploadPercent.Value))
        && (DownloadPercent is null || TransferFactors.IsValidPercent(DownloadPercent.Value))
        && (UploadPercent is not null || DownloadPercent is not null)
        && (From is null || Until is null || From < Until);

    /// <summary>Whether the factors apply at <paramref name="now"/> (inside the window, when there is one).</summary>
    public bool IsActiveAt(DateTimeOffset now) => (From is null || From <= now) && (Until is null || now < Until);

    /// <summary>The factors in effect for this torrent, the defaults filling in a factor not given.</summary>
    public TransferFactors Over(TransferFactors defaults) =>
        new(UploadPercent ?? defaults.UploadPercent, DownloadPercent ?? defaults.DownloadPercent);
}
