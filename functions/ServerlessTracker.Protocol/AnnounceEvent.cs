namespace ServerlessTracker.Protocol;

/// <summary>The announce event, numbered as BEP 15 numbers it; HTTP's <c>paused</c> (BEP 21) is <see cref="None"/>.</summary>
public enum AnnounceEvent : byte
{
    None = 0,
    Completed = 1,
    Started = 2,
    Stopped = 3,
}
