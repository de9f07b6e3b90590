namespace ServerlessTracker.Tests.Shared;

/// <summary>RFC 4648 base32 (upper case, no padding), written independently of the parser under test, to make the 32-character
/// hashes of magnet links (linked into every test project that pastes them).</summary>
public static class Base32
{
    public static string Encode(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new System.Text.StringBuilder();
        for (var bit = 0; bit < bytes.Length * 8; bit += 5)
        {
            var value = 0;
            for (var j = 0; j < 5; j++)
            {
                value = (value << 1) | ((bytes[(bit + j) / 8] >> (7 - ((bit + j) % 8))) & 1);
            }

            text.Append(alphabet[value]);
        }

        return text.ToString();
    }
}
