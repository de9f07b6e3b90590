namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>Which info-hash list a rule belongs to.</summary>
public enum InfoHashListKind : byte
{
    Allow = 0,
    Deny = 1,
}

/// <summary>One torrent on the allow or deny list, or its removal from it.</summary>
/// <param name="Hash">The 20 bytes clients announce: a v1 hash, or a v2 hash truncated as BEP 52 hybrids and v2 clients announce it.</param>
/// <param name="Given">The hash as the operator gave it: 40 hex digits (v1) or 64 (v2).</param>
/// <param name="Version">The version of the last change to (hash, kind) (<see cref="ChangeVersion"/>): the later change wins everywhere.</param>
/// <param name="Removed">A removal, kept as a tombstone for <see cref="ChangeVersion.TombstoneRetention"/>.</param>
public sealed record InfoHashRule(InfoHash Hash, InfoHashListKind Kind, string Given, string? Note, DateTimeOffset AddedAt, long Version = 0, bool Removed = false)
{
    /// <summary>Whether this change replaces <paramref name="stored"/> (the same hash and kind).</summary>
    public bool Supersedes(InfoHashRule stored) => ChangeVersion.Supersedes(Version, Removed, stored.Version, stored.Removed);

    /// <summary>Reads 40 hex digits (a v1 info-hash) or 64 (a v2 info-hash, of which trackers see the first 20 bytes).</summary>
    public static bool TryParseHash(ReadOnlySpan<char> hex, out InfoHash hash)
    {
        hash = default;
        if (hex.Length == 64)
        {
            Span<byte> v2 = stackalloc byte[32];
            if (Convert.FromHexString(hex, v2, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
            {
                return false;
            }

            hash = InfoHash.FromBytes(v2[..InfoHash.Length]);
            return true;
        }

        return InfoHash.TryParseHex(hex, out hash);
    }
}
