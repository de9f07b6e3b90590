namespace ServerlessTracker.Engine.Policy.Factors;

/// <summary>How much of an announce's transfer a passkey is credited with, as integer percentages: 0 (freeleech's download),
/// 50 (half-leech), 100 (as transferred), 200 (double upload), up to <see cref="MaxPercent"/>.</summary>
/// <remarks>Integers, not floating point, so a credited figure is exact: <c>delta × percent / 100</c>, the fraction of a
/// byte carried to the next announce (<see cref="Passkeys.PasskeyAccount.Add(long, long, TransferFactors)"/>).
/// <para>Held as the offset from 100, so <c>default</c> credits what was transferred: a decision made without factors (every
/// refusal, every announce without a passkey) can never turn into freeleech by accident.</para></remarks>
public readonly struct TransferFactors : IEquatable<TransferFactors>
{
    /// <summary>A factor that credits what was transferred.</summary>
    public const int Unfactored = 100;

    /// <summary>The largest factor (×10): with deltas capped at <see cref="Passkeys.PasskeyAccount.MaxDeltaBytes"/> the product stays far inside a long.</summary>
    public const int MaxPercent = 1000;

    private readonly short _upload;
    private readonly short _download;

    public TransferFactors(int uploadPercent, int downloadPercent)
    {
        if (!IsValidPercent(uploadPercent) || !IsValidPercent(downloadPercent))
        {
            throw new ArgumentOutOfRangeException(nameof(uploadPercent), "A factor is 0 to 1000 percent.");
        }

        _upload = (short)(uploadPercent - Unfactored);
        _download = (short)(downloadPercent - Unfactored);
    }

    public int UploadPercent => _upload + Unfactored;

    public int DownloadPercent => _download + Unfactored;

    public bool IsUnfactored => _upload == 0 && _download == 0;

    public static bool IsValidPercent(int percent) => percent is >= 0 and <= MaxPercent;

    public bool Equals(TransferFactors other) => _upload == other._upload && _download == other._download;

    public override bool Equals(object? obj) => obj is TransferFactors other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_upload, _download);

    public override string ToString() => $"upload {UploadPercent}%, download {DownloadPercent}%";

    public static bool operator ==(TransferFactors left, TransferFactors right) => left.Equals(right);

    public static bool operator !=(TransferFactors left, TransferFactors right) => !left.Equals(right);
}
