namespace ServerlessTracker.Engine;

/// <summary>The event an announce carries (BEP 3; numbered as in BEP 15).</summary>
public enum PeerEvent : byte
{
    None = 0,
    Completed = 1,
    Started = 2,
    Stopped = 3,
}
