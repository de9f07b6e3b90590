namespace ServerlessTracker.Engine;

/// <summary>The engine's time unit: whole seconds since the Unix epoch in 32 bits (good until 2106).</summary>
public static class UnixTime
{
    public static uint Now(TimeProvider time) => (uint)time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The instant <paramref name="seconds"/> ago, floored at zero.</summary>
    public static uint Before(uint now, int seconds) => now > (uint)seconds ? now - (uint)seconds : 0;
}
