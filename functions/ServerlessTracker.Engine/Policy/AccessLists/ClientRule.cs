using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Engine.Policy.AccessLists;

/// <summary>Which client list a rule belongs to.</summary>
public enum ClientListKind : byte
{
    Allow = 0,
    Deny = 1,
}

/// <summary>One client (a peer_id prefix) on the allow or deny list, or its removal from it.</summary>
/// <param name="Prefix">The start of the peer_id the client sends: Azureus style <c>-XL0012-</c> or <c>-qB4</c>, Shadow style
/// <c>M4-3-</c> or <c>T03I</c>. 1 to 20 printable ASCII characters, matched byte for byte (case matters: <c>-qB</c> is not <c>-QB</c>).</param>
/// <param name="Version">The version of the last change to (prefix, kind) (<see cref="ChangeVersion"/>): the later change wins everywhere.</param>
/// <param name="Removed">A removal, kept as a tombstone for <see cref="ChangeVersion.TombstoneRetention"/>.</param>
public sealed record ClientRule(string Prefix, ClientListKind Kind, string? Note, DateTimeOffset AddedAt, long Version = 0, bool Removed = false)
{
    /// <summary>The rule's tag on the metrics, built once so counting a match allocates nothing.</summary>
    public KeyValuePair<string, object?> MetricTag { get; } = new("rule", Prefix);

    /// <summary>Whether this change replaces <paramref name="stored"/> (the same prefix and kind).</summary>
    public bool Supersedes(ClientRule stored) => ChangeVersion.Supersedes(Version, Removed, stored.Version, stored.Removed);

    /// <summary>Whether <paramref name="prefix"/> can be a rule: 1 to 20 characters from <c>!</c> to <c>~</c> (no spaces, no controls).</summary>
    /// <remarks>Peer ids are bytes; every client family names itself in printable ASCII, and a prefix kept to it reads the
    /// same in JSON, logs, a table row and a <c>failure reason</c>.</remarks>
    public static bool IsValidPrefix(ReadOnlySpan<char> prefix)
    {
        if (prefix.IsEmpty || prefix.Length > PeerId.Length)
        {
            return false;
        }

        foreach (var c in prefix)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
