using System.ComponentModel.DataAnnotations;
using ServerlessTracker.Engine.Policy.Factors;

namespace ServerlessTracker.Engine.Policy;

/// <summary>Private mode: announces and scrapes need a passkey in the path (configuration section <c>Tracker:Private</c>).</summary>
public sealed class PrivateModeSettings
{
    public const string Section = "Tracker:Private";

    /// <summary>Refuse announces and scrapes without a known, unrevoked passkey (<c>/announce/{passkey}</c>). Default false (open tracker;
    /// a known passkey is still accounted when one is given).</summary>
    public bool Enabled { get; set; }

    /// <summary>Upload credited to a passkey, in percent of what it uploaded, for torrents without factors of their own
    /// (200: double upload everywhere). 0 to 1000. Default 100.</summary>
    [Range(0, TransferFactors.MaxPercent)]
    public int UploadFactorPercent { get; set; } = TransferFactors.Unfactored;

    /// <summary>Download credited to a passkey, in percent of what it downloaded, for torrents without factors of their own
    /// (0: site-wide freeleech). 0 to 1000. Default 100.</summary>
    [Range(0, TransferFactors.MaxPercent)]
    public int DownloadFactorPercent { get; set; } = TransferFactors.Unfactored;

    /// <summary>The global default factors (a method, not a property, so it is no configuration key).</summary>
    public TransferFactors DefaultFactors() => new(UploadFactorPercent, DownloadFactorPercent);
}
