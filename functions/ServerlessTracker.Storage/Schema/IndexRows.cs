using System.Globalization;
using ServerlessTracker.Engine;

namespace ServerlessTracker.Storage.Schema;

/// <summary>Keys and properties of the index table: the swarm registry and the purge schedule.</summary>
/// <remarks>
/// PartitionKey: <c>i</c> and the first hex digit of the info-hash (16 partitions, so neither registry writes nor
/// schedule writes meet one partition's write limit). Row kinds:
/// <list type="bullet">
/// <item><c>r{hash}</c> — a known swarm: <c>Seeders</c>, <c>Leechers</c>, <c>Downloaded</c> (Int64, as last seen by a writer or
/// purge) and <c>LastActivity</c> (Int64, unix seconds). Listed by full scrape.</item>
/// <item><c>q{due}{hash}</c> — a purge visit due at <c>due</c> (10-digit unix seconds): the end of the bucket in which the swarm
/// was written plus the peer TTL, when every peer written in that bucket has expired unless it announced again.
/// A purge run reads only the rows that are due.</item>
/// <item><c>n{created}{hash}</c> — a swarm this writer created (its partition was empty): <c>created</c> is the 10-digit unix
/// second of the write. The journal other instances read (a range query per partition) to learn new swarms between full
/// reads of the registry; purge deletes rows older than <see cref="JournalRetentionSeconds"/>.</item>
/// </list>
/// A writer adds the registry and due rows (one transaction, with the journal row when it created the swarm) once per
/// bucket per swarm; purge deletes the due rows it has served.
/// </remarks>
internal static class IndexRows
{
    public const string RegistryPrefix = "r";
    public const string RegistryEnd = "s";
    public const string DuePrefix = "q";
    public const string JournalPrefix = "n";
    public const string JournalEnd = "o";
    public const string LastActivity = "LastActivity";

    /// <summary>How long journal rows are kept: far longer than any instance's gap between two reads of the journal.</summary>
    public const int JournalRetentionSeconds = 600;

    public static string PartitionKey(string hashHex) => "i" + hashHex[0];

    public static IEnumerable<string> AllPartitionKeys()
    {
        for (var i = 0; i < 16; i++)
        {
            yield return "i" + i.ToString("x", CultureInfo.InvariantCulture);
        }
    }

    public static string RegistryRowKey(string hashHex) => RegistryPrefix + hashHex;

    public static string DueRowKey(long due, string hashHex) =>
        string.Create(CultureInfo.InvariantCulture, $"{DuePrefix}{due:D10}{hashHex}");

    public static string JournalRowKey(long created, string hashHex) =>
        string.Create(CultureInfo.InvariantCulture, $"{JournalPrefix}{created:D10}{hashHex}");

    /// <summary>The first journal row key at or after <paramref name="created"/>.</summary>
    public static string JournalBound(long created) => string.Create(CultureInfo.InvariantCulture, $"{JournalPrefix}{Math.Max(0, created):D10}");

    public static bool TryParseJournalRowKey(string rowKey, out InfoHash hash)
    {
        hash = default;
        return rowKey.Length == 1 + 10 + 40 && rowKey[0] == 'n' && InfoHash.TryParseHex(rowKey.AsSpan(11), out hash);
    }

    /// <summary>The first due row key at or after <paramref name="due"/>.</summary>
    public static string DueBound(long due) => string.Create(CultureInfo.InvariantCulture, $"{DuePrefix}{due:D10}");

    public static bool TryParseDueRowKey(string rowKey, out long due, out InfoHash hash)
    {
        due = 0;
        hash = default;
        return rowKey.Length == 1 + 10 + 40 && rowKey[0] == 'q'
            && long.TryParse(rowKey.AsSpan(1, 10), NumberStyles.None, CultureInfo.InvariantCulture, out due)
            && InfoHash.TryParseHex(rowKey.AsSpan(11), out hash);
    }

    public static bool TryParseRegistryRowKey(string rowKey, out InfoHash hash)
    {
        hash = default;
        return rowKey.Length == 41 && rowKey[0] == 'r' && InfoHash.TryParseHex(rowKey.AsSpan(1), out hash);
    }

    /// <summary>When a swarm written at <paramref name="now"/> is next due for purge: the end of now's bucket plus the TTL.</summary>
    public static long DueAfterWrite(uint now, int bucketSeconds, int peerTtlSeconds) =>
        ((now / (long)bucketSeconds) + 1) * bucketSeconds + peerTtlSeconds;
}
