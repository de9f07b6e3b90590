using System.Buffers.Binary;
using System.Text;
using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Storage.Operator;

/// <summary>The passkeys table's journal: every change to a passkey or a figures row is also appended here, so instances
/// keep in step by reading what was appended since their last read instead of the whole table.</summary>
/// <remarks>
/// <code>
/// PartitionKey "~journal" (after every passkey: passkeys are [A-Za-z0-9_-], '~' sorts last)
/// RowKey       {writer's UTC ticks:D19}-{writer}-{n:D6}   unique; readers do not rely on its order
/// Changes      binary, at most 60,000 bytes, a sequence of
///   1 | u8 length, passkey ASCII | u16 length (0xFFFF: none), name UTF-8 | i64 created ticks | i64 revoked ticks (0: not revoked)
///   2 | u8 length, passkey ASCII | u8 length, origin ASCII | i64 uploaded | i64 downloaded | i64 version
/// </code>
/// (big-endian). Readers select rows by the server's <c>Timestamp</c> (commit time, one partition, so one server's clock)
/// from their last maximum minus <see cref="Overlap"/>, which covers commits still in flight; reading a change twice is
/// harmless (records merge, rows keep the newest version). Rows older than <see cref="Retention"/> are trimmed by whoever
/// does a full read; a reader whose cursor is older than that reads everything instead.
/// </remarks>
internal static class PasskeyJournal
{
    public const string Partition = "~journal";
    public const int MaxRowBytes = 60_000;

    /// <summary>Rows per entity group transaction: 60 full rows stay under its 4 MiB.</summary>
    public const int RowsPerTransaction = 60;

    /// <summary>How far before its last maximum a reader starts again.</summary>
    public static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    /// <summary>How long changes stay readable.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(30);

    private const byte PasskeyKind = 1;
    private const byte UsageKind = 2;
    private static readonly string Writer = Guid.NewGuid().ToString("N")[..8];
    private static long _sequence;

    /// <summary>Appends the changes (as few rows as fit, in transactions of up to <see cref="RowsPerTransaction"/>).</summary>
    public static async ValueTask AppendAsync(TableClient table, IReadOnlyList<PasskeyRecord> passkeys, IReadOnlyList<UsageSnapshot> usage, CancellationToken cancellationToken)
    {
        var rows = Encode(passkeys, usage);
        for (var offset = 0; offset < rows.Count; offset += RowsPerTransaction)
        {
            var actions = new List<TableTransactionAction>();
            for (var i = offset; i < Math.Min(rows.Count, offset + RowsPerTransaction); i++)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, rows[i]));
            }

            if (actions.Count == 1)
            {
                await table.AddEntityAsync(actions[0].Entity, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The changes committed at or after <paramref name="since"/> (server time), and the latest commit time seen.</summary>
    public static async ValueTask<(List<PasskeyRecord> Passkeys, List<UsageSnapshot> Usage, DateTimeOffset? Latest)> ReadAsync(
        TableClient table, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var passkeys = new List<PasskeyRecord>();
        var usage = new List<UsageSnapshot>();
        DateTimeOffset? latest = null;
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Timestamp ge {since}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (row.Timestamp is { } at && (latest is null || at > latest))
            {
                latest = at;
            }

            if (row.GetBinary("Changes") is { } changes)
            {
                Decode(changes, passkeys, usage);
            }
        }

        return (passkeys, usage, latest);
    }

    /// <summary>Deletes rows committed before <paramref name="before"/>; another instance trimming at once is harmless.</summary>
    public static async ValueTask TrimAsync(TableClient table, DateTimeOffset before, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Timestamp lt {before}");
        var old = new List<TableTransactionAction>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, 1000, ["RowKey"], cancellationToken).ConfigureAwait(false))
        {
            old.Add(new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(Partition, row.RowKey), ETag.All));
        }

        for (var offset = 0; offset < old.Count; offset += 100)
        {
            try
            {
                await table.SubmitTransactionAsync(old.GetRange(offset, Math.Min(100, old.Count - offset)), cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException)
            {
                // Another instance deleted some of these first: the rest go at the next trim.
            }
        }
    }

    public static List<TableEntity> Encode(IReadOnlyList<PasskeyRecord> passkeys, IReadOnlyList<UsageSnapshot> usage)
    {
        var rows = new List<TableEntity>();
        var buffer = new byte[MaxRowBytes];
        var length = 0;
        foreach (var record in passkeys)
        {
            var name = record.Name is null ? null : Encoding.UTF8.GetBytes(record.Name);
            length = Room(rows, buffer, length, 1 + 1 + record.Passkey.Length + 2 + (name?.Length ?? 0) + 16);
            buffer[length++] = PasskeyKind;
            length = WriteAscii(buffer, length, record.Passkey);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(length), name is null ? ushort.MaxValue : (ushort)name.Length);
            length += 2;
            name?.CopyTo(buffer, length);
            length += name?.Length ?? 0;
            length = WriteInt64(buffer, length, record.CreatedAt.UtcTicks);
            length = WriteInt64(buffer, length, record.RevokedAt?.UtcTicks ?? 0);
        }

        foreach (var item in usage)
        {
            length = Room(rows, buffer, length, 1 + 1 + item.Passkey.Length + 1 + item.Origin.Length + 24);
            buffer[length++] = UsageKind;
            length = WriteAscii(buffer, length, item.Passkey);
            length = WriteAscii(buffer, length, item.Origin);
            length = WriteInt64(buffer, length, item.Uploaded);
            length = WriteInt64(buffer, length, item.Downloaded);
            length = WriteInt64(buffer, length, item.Version);
        }

        Room(rows, buffer, length, MaxRowBytes);
        return rows;
    }

    /// <summary>Reads what <see cref="Encode"/> wrote; a malformed tail (a row written by a newer version) is ignored.</summary>
    public static void Decode(ReadOnlySpan<byte> changes, List<PasskeyRecord> passkeys, List<UsageSnapshot> usage)
    {
        var at = 0;
        while (at < changes.Length)
        {
            var kind = changes[at++];
            if (kind == PasskeyKind && TryAscii(changes, ref at, out var passkey) && at + 2 <= changes.Length)
            {
                var nameLength = BinaryPrimitives.ReadUInt16BigEndian(changes[at..]);
                at += 2;
                string? name = null;
                if (nameLength != ushort.MaxValue)
                {
                    if (at + nameLength > changes.Length)
                    {
                        return;
                    }

                    name = Encoding.UTF8.GetString(changes.Slice(at, nameLength));
                    at += nameLength;
                }

                if (at + 16 > changes.Length)
                {
                    return;
                }

                var created = BinaryPrimitives.ReadInt64BigEndian(changes[at..]);
                var revoked = BinaryPrimitives.ReadInt64BigEndian(changes[(at + 8)..]);
                at += 16;
                if (created is < 0 || created > DateTimeOffset.MaxValue.UtcTicks || revoked is < 0 || revoked > DateTimeOffset.MaxValue.UtcTicks)
                {
                    return;
                }

                passkeys.Add(new PasskeyRecord(passkey, name, new DateTimeOffset(created, TimeSpan.Zero), revoked == 0 ? null : new DateTimeOffset(revoked, TimeSpan.Zero), 0, 0));
            }
            else if (kind == UsageKind && TryAscii(changes, ref at, out var key) && TryAscii(changes, ref at, out var origin) && at + 24 <= changes.Length)
            {
                usage.Add(new UsageSnapshot(key, origin,
                    BinaryPrimitives.ReadInt64BigEndian(changes[at..]),
                    BinaryPrimitives.ReadInt64BigEndian(changes[(at + 8)..]),
                    BinaryPrimitives.ReadInt64BigEndian(changes[(at + 16)..])));
                at += 24;
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Starts a new row when <paramref name="needed"/> more bytes would not fit the current one.</summary>
    private static int Room(List<TableEntity> rows, byte[] buffer, int length, int needed)
    {
        if (length + needed <= MaxRowBytes)
        {
            return length;
        }

        if (length > 0)
        {
            var key = $"{DateTimeOffset.UtcNow.UtcTicks:D19}-{Writer}-{Interlocked.Increment(ref _sequence) % 1_000_000:D6}";
            rows.Add(new TableEntity(Partition, key) { ["Changes"] = buffer.AsSpan(0, length).ToArray() });
        }

        return 0;
    }

    private static int WriteAscii(byte[] buffer, int at, string text)
    {
        buffer[at++] = (byte)text.Length;
        return at + Encoding.ASCII.GetBytes(text, buffer.AsSpan(at));
    }

    private static int WriteInt64(byte[] buffer, int at, long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(at), value);
        return at + 8;
    }

    private static bool TryAscii(ReadOnlySpan<byte> changes, ref int at, out string text)
    {
        text = "";
        if (at >= changes.Length || at + 1 + changes[at] > changes.Length)
        {
            return false;
        }

        text = Encoding.ASCII.GetString(changes.Slice(at + 1, changes[at]));
        at += 1 + changes[at];
        return true;
    }
}
