using System.Globalization;
using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Storage.Schema;

/// <summary>Keys and properties of the swarms table: one partition per info-hash.</summary>
/// <remarks>
/// PartitionKey: the info-hash as 40 lowercase hex digits. Row kinds, in row key order:
/// <list type="bullet">
/// <item><c>a</c> — the summary: <c>Seeders</c>, <c>Leechers</c> (Int64, as of <c>CountedAt</c>, unix seconds; written by
/// recounts of large swarms and by purge) and <c>Downloaded</c> (Int64, completions folded in from old delta rows).</item>
/// <item><c>c{peer id}{announce ms}</c> — a completion learned from another region was counted: <c>T</c> (Int64, unix seconds);
/// replicated completions count once per (peer, announce time) whatever the order or number of deliveries.</item>
/// <item><c>d{instance}-{generation}</c> — one instance's completions: <c>N</c> (Int64, cumulative, only that instance
/// writes the row) and <c>W</c> (Int64, unix seconds of its last write). Downloaded = a.Downloaded + Σ N.</item>
/// <item><c>p{spread}{peer id}</c> — one peer: spread is 4 hex digits of a hash of the peer id (so a range of row keys is a
/// random sample of the swarm), then the 20-byte peer id as 40 hex digits. <c>T</c> (Int64, last announce, unix seconds),
/// <c>S</c> (Int32: 0 leecher, 1 seeder, 2 stopped — a tombstone, as a delete cannot share a batch with a missing row),
/// <c>D</c> (Binary, <see cref="PeerRowCodec"/>; a tombstone's is the peer as of its stop, absent in tombstones written
/// before they kept it).</item>
/// </list>
/// No client-supplied text reaches a key: hashes and peer ids are written as hex.
/// </remarks>
internal static class SwarmRows
{
    public const string Summary = "a";
    public const string CompletionPrefix = "c";
    public const string DeltaPrefix = "d";
    public const string PeerPrefix = "p";

    /// <summary>The first row key after every peer row.</summary>
    public const string PeerEnd = "q";

    /// <summary>The first row key after the summary and delta rows.</summary>
    public const string CountersEnd = "e";

    public const string LastSeen = "T";
    public const string State = "S";
    public const string Data = "D";
    public const string Seeders = "Seeders";
    public const string Leechers = "Leechers";
    public const string CountedAt = "CountedAt";
    public const string Downloaded = "Downloaded";
    public const string DeltaCount = "N";
    public const string DeltaWritten = "W";

    public const int Leecher = 0;
    public const int Seeder = 1;
    public const int Stopped = 2;

    /// <summary>Row key length of a peer row: prefix, 4 spread digits, 40 id digits.</summary>
    public const int PeerRowKeyLength = 1 + 4 + (PeerId.Length * 2);

    public static string PartitionKey(InfoHash hash) => hash.ToHex();

    public static string PeerRowKey(PeerId id)
    {
        Span<byte> bytes = stackalloc byte[PeerId.Length];
        id.CopyTo(bytes);
        var spread = Spread(bytes);
        return string.Create(PeerRowKeyLength, (spread, id), static (chars, state) =>
        {
            Span<byte> raw = stackalloc byte[PeerId.Length];
            state.id.CopyTo(raw);
            chars[0] = 'p';
            state.spread.TryFormat(chars[1..], out _, "x4", CultureInfo.InvariantCulture);
            Convert.TryToHexStringLower(raw, chars[5..], out _);
        });
    }

    public static bool TryParsePeerRowKey(string rowKey, out PeerId id)
    {
        id = default;
        if (rowKey.Length != PeerRowKeyLength || rowKey[0] != 'p')
        {
            return false;
        }

        Span<byte> raw = stackalloc byte[PeerId.Length];
        if (Convert.FromHexString(rowKey.AsSpan(5), raw, out _, out var written) != System.Buffers.OperationStatus.Done || written != PeerId.Length)
        {
            return false;
        }

        id = PeerId.FromBytes(raw);
        return true;
    }

    /// <summary>The row key a window of peers starts at, for a random 16-bit point of the spread range.</summary>
    public static string WindowStart(int point) => PeerPrefix + ((ushort)point).ToString("x4", CultureInfo.InvariantCulture);

    /// <summary>The marker of one replicated completion, (peer, announce time in unix ms): counted once in any order.</summary>
    public static string CompletionRowKey(PeerId id, long announcedAtMs) =>
        string.Create(CultureInfo.InvariantCulture, $"{CompletionPrefix}{id.ToHex()}{announcedAtMs:D13}");

    public static string DeltaRowKey(string instanceId, uint generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{DeltaPrefix}{instanceId}-{generation:x8}");

    /// <summary>The entity a peer's latest state is stored as.</summary>
    public static TableEntity PeerEntity(string partitionKey, string rowKey, in PeerRecord peer, bool seeder) => new(partitionKey, rowKey)
    {
        [LastSeen] = (long)peer.LastSeen,
        [State] = seeder ? Seeder : Leecher,
        [Data] = PeerRowCodec.Encode(peer),
    };

    /// <summary>A stopped peer: kept as a tombstone until purge deletes it. <paramref name="departed"/> is the peer as of its
    /// stop (address, port, key, the session's counters): the base of its next delta, should the session go on.</summary>
    public static TableEntity Tombstone(string partitionKey, string rowKey, uint now, in PeerRecord departed) => new(partitionKey, rowKey)
    {
        [LastSeen] = (long)now,
        [State] = Stopped,
        [Data] = PeerRowCodec.Encode(departed),
    };

    // FNV-1a over the id's bytes with murmur3's finalizer, so ids that share a client prefix ("-qB4650-") and differ
    // only in their last bytes still land all over the range: a window must not be one client's peers.
    private static ushort Spread(ReadOnlySpan<byte> id)
    {
        var hash = 2166136261u;
        foreach (var b in id)
        {
            hash = (hash ^ b) * 16777619u;
        }

        hash ^= hash >> 16;
        hash *= 0x85ebca6bu;
        hash ^= hash >> 13;
        hash *= 0xc2b2ae35u;
        hash ^= hash >> 16;
        return (ushort)(hash >> 16);
    }
}
