namespace ServerlessTracker.Engine.Policy;

/// <summary>Private mode: announces and scrapes need a passkey in the path (configuration section <c>Tracker:Private</c>).</summary>
public sealed class PrivateModeSettings
{
    public const string Section = "Tracker:Private";

    /// <summary>Refuse announces and scrapes without a known, unrevoked passkey (<c>/announce/{passkey}</c>). Default false (open tracker;
    /// a known passkey is still accounted when one is given).</summary>
    public bool Enabled { get; set; }
}
