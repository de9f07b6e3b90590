namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>One torrent hash an operator named.</summary>
/// <param name="Given">The hash in canonical form: 40 lowercase hex digits (v1) or 64 (v2), whatever form it was pasted in.</param>
/// <param name="Hash">The 20 bytes clients announce for it (a v2 hash truncated, as BEP 52 hybrids and v2 clients announce it).</param>
public readonly record struct NamedHash(string Given, InfoHash Hash)
{
    public bool IsV2 => Given.Length == 64;
}

/// <summary>Reads info-hashes as operators paste them: from a torrent site, a client's "copy hash", or a magnet link.</summary>
/// <remarks>
/// Accepted, surrounding white space ignored, letters in either case:
/// <list type="bullet">
/// <item>40 hex digits: a v1 info-hash;</item>
/// <item>32 base32 characters (RFC 4648, <c>A-Z2-7</c>): a v1 info-hash as older magnet links carry it;</item>
/// <item>64 hex digits: a v2 info-hash;</item>
/// <item>a magnet link (<c>magnet:?...</c>) with <c>xt=urn:btih:&lt;40 hex or 32 base32&gt;</c> (v1) and/or
/// <c>xt=urn:btmh:1220&lt;64 hex&gt;</c> (v2: the multihash of a SHA-256). A hybrid torrent's magnet names both; each
/// hash it names is returned, so a list rule is made for each. Other parameters (<c>dn</c>, <c>tr</c>, other <c>xt</c>
/// kinds) are ignored; a <c>btih</c> or <c>btmh</c> that does not parse fails the whole link rather than half-list it.</item>
/// </list>
/// Hashes come back in canonical hex (<see cref="NamedHash.Given"/>), so stores and sync see only the forms they always had.
/// </remarks>
public static class InfoHashText
{
    /// <summary>Longest text read: a magnet link with trackers and a long name fits; anything longer is not a paste.</summary>
    public const int MaxLength = 8192;

    /// <summary>Most hashes one magnet link may name (a hybrid names two; repeats are folded).</summary>
    public const int MaxHashesPerLink = 8;

    /// <summary>What the parser accepts, for error messages.</summary>
    public const string Forms = "40 hex or 32 base32 (v1), 64 hex (v2), or a magnet link";

    private const string MagnetPrefix = "magnet:?";
    private const string Btih = "urn:btih:";

    // The multihash prefix of a SHA-256 digest: function code 0x12, length 0x20 (BEP 52).
    private const string Btmh = "urn:btmh:1220";

    /// <summary>Reads one paste: a bare hash (one result) or a magnet link (each bt hash it names, in link order).</summary>
    public static bool TryParse(string? text, out List<NamedHash> hashes)
    {
        hashes = [];
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty || trimmed.Length > MaxLength)
        {
            return false;
        }

        if (!trimmed.StartsWith(MagnetPrefix, StringComparison.OrdinalIgnoreCase))
        {
            if (!TryParseBare(trimmed, out var one))
            {
                return false;
            }

            hashes.Add(one);
            return true;
        }

        var query = trimmed[MagnetPrefix.Length..];
        foreach (var range in query.Split('&'))
        {
            var parameter = query[range];
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !IsExactTopic(parameter[..equals]))
            {
                continue;
            }

            var value = Uri.UnescapeDataString(parameter[(equals + 1)..].ToString()).AsSpan().Trim();
            NamedHash named;
            if (value.StartsWith(Btih, StringComparison.OrdinalIgnoreCase))
            {
                var hash = value[Btih.Length..];
                if (hash.Length is not (40 or 32) || !TryParseBare(hash, out named))
                {
                    return false;
                }
            }
            else if (value.StartsWith(Btmh, StringComparison.OrdinalIgnoreCase))
            {
                var hash = value[Btmh.Length..];
                if (hash.Length != 64 || !TryParseBare(hash, out named))
                {
                    return false;
                }
            }
            else
            {
                continue;
            }

            if (!hashes.Contains(named))
            {
                if (hashes.Count == MaxHashesPerLink)
                {
                    return false;
                }

                hashes.Add(named);
            }
        }

        return hashes.Count > 0;
    }

    /// <summary>Reads a bare hash: 40 hex, 32 base32 or 64 hex.</summary>
    public static bool TryParseBare(ReadOnlySpan<char> text, out NamedHash named)
    {
        named = default;
        Span<byte> bytes = stackalloc byte[32];
        switch (text.Length)
        {
            case 40 when InfoHash.TryParseHex(text, out var v1):
                named = new NamedHash(v1.ToHex(), v1);
                return true;
            case 32 when TryDecodeBase32(text, bytes[..InfoHash.Length]):
                var fromBase32 = InfoHash.FromBytes(bytes[..InfoHash.Length]);
                named = new NamedHash(fromBase32.ToHex(), fromBase32);
                return true;
            case 64 when Convert.FromHexString(text, bytes, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32:
                named = new NamedHash(Convert.ToHexStringLower(bytes), InfoHash.FromBytes(bytes[..InfoHash.Length]));
                return true;
            default:
                return false;
        }
    }

    // "xt", or "xt.1", "xt.2", ... as some clients number several exact topics.
    private static bool IsExactTopic(ReadOnlySpan<char> name) =>
        name.Equals("xt", StringComparison.OrdinalIgnoreCase)
        || (name.Length > 3 && name[..3].Equals("xt.", StringComparison.OrdinalIgnoreCase) && int.TryParse(name[3..], System.Globalization.NumberStyles.None, null, out _));

    // RFC 4648 base32 without padding: 32 characters are exactly 160 bits, 20 bytes.
    private static bool TryDecodeBase32(ReadOnlySpan<char> text, Span<byte> destination)
    {
        ulong buffer = 0;
        int bits = 0, written = 0;
        foreach (var c in text)
        {
            int value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a',
                >= '2' and <= '7' => c - '2' + 26,
                _ => -1,
            };
            if (value < 0)
            {
                return false;
            }

            buffer = (buffer << 5) | (uint)value;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                destination[written++] = (byte)(buffer >> bits);
            }
        }

        return written == destination.Length;
    }
}
