using System.Security.Cryptography;

namespace ServerlessTracker.Engine.Policy.Passkeys;

/// <summary>Passkey text: 32 lowercase hex digits (128 random bits) when the tracker makes one.</summary>
public static class Passkey
{
    /// <summary>Longest passkey accepted anywhere, in bytes; longer ones are unknown by definition.</summary>
    public const int MaxLength = 128;

    /// <summary>A new passkey from the operating system's cryptographic generator.</summary>
    public static string Create() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Whether <paramref name="text"/> can be a passkey: 1 to 128 characters of <c>[A-Za-z0-9_-]</c> (safe in a URL path).</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
