namespace ServerlessTracker.Http.Options;

/// <summary>The rule every token the tracker checks follows: set, it is at least <see cref="MinLength"/> characters, so it
/// cannot be guessed within any rate limit (32 hex characters are 128 bits).</summary>
public static class Secrets
{
    /// <summary>Fewest characters of a token or key; a shorter one fails the start.</summary>
    public const int MinLength = 32;

    /// <summary>Whether <paramref name="value"/> is unset or long enough.</summary>
    public static bool UnsetOrLongEnough(string? value) => string.IsNullOrEmpty(value) || value.Length >= MinLength;

    /// <summary>The start-up error for a setting that is too short.</summary>
    public static string TooShort(string setting) =>
        $"{setting} is shorter than {MinLength} characters: use {MinLength} random characters or more (for example openssl rand -hex 32), or leave it unset.";
}
