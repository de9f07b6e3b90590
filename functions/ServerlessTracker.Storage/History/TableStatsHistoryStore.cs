using System.Buffers.Binary;
using System.Text;
using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Storage.Operator;

namespace ServerlessTracker.Storage.History;

/// <summary>Each instance's stats history in Table Storage, so the stats page can chart its region, not just itself.</summary>
/// <remarks>
/// <code>
/// table statshistory (Tracker:Tables:StatsTable)
///   PartitionKey = "h-" + the region (letters, digits and '-'; anything else hex-escaped as _XX)
///     RowKey = the instance id (the Table store's InstanceId)
///       Samples (Binary): per minute, oldest first, 40 bytes little-endian: the minute (Int64 unix seconds),
///                         HTTP and UDP announces/s (Double), peers, swarms (Int64)
///       SampledAt (DateTime): when the instance last wrote the row
/// </code>
/// One row per instance, not per region and minute: each row has one writer, so a write is a blind upsert (no ETag race, no
/// read first), one transaction a minute whatever the load; and the region's history is one partition query returning a row
/// per instance (the page reads it at most once per <c>Tracker:Stats:RefreshSeconds</c>). The row is rewritten whole each
/// minute, so it never grows beyond <c>HistoryMinutes</c> samples (57,600 bytes at the 1,440 maximum, under the 64 KiB
/// property limit). Rows of instances gone longer than the history are deleted by the reader that finds them. Retries are the
/// account's (jittered exponential backoff within the Table request budget).
/// </remarks>
public sealed class TableStatsHistoryStore(TableServiceClient service, string table, string instance, TimeProvider time) : IStatsHistoryStore
{
    private const int SampleBytes = 40;
    private const int MaxDeletesPerRead = 10;
    private readonly LazyTable _table = new(service, table);

    public string Instance => instance;

    public async ValueTask WriteAsync(string region, IReadOnlyList<HistorySample> samples, CancellationToken cancellationToken)
    {
        var client = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(PartitionKey(region), instance)
        {
            ["Samples"] = Encode(samples),
            ["SampledAt"] = time.GetUtcNow(),
        };
        await client.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<InstanceHistory>> ReadAsync(string region, TimeSpan maxAge, CancellationToken cancellationToken)
    {
        var client = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var oldest = time.GetUtcNow() - maxAge;
        var list = new List<InstanceHistory>();
        var stale = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(region)}");
        await foreach (var entity in client.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            var at = entity.GetDateTimeOffset("SampledAt") ?? DateTimeOffset.MinValue;
            if (at < oldest)
            {
                stale.Add(entity);
                continue;
            }

            list.Add(new InstanceHistory(entity.RowKey, at, Decode(entity.GetBinary("Samples"))));
        }

        foreach (var entity in stale.Count > MaxDeletesPerRead ? stale[..MaxDeletesPerRead] : stale)
        {
            try
            {
                // Guarded by the ETag read: an instance that came back meanwhile keeps its row.
                await client.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException)
            {
                // Gone or rewritten meanwhile: either way not stale any more, or a later read retries.
            }
        }

        return list;
    }

    /// <summary>The partition of a region; the name comes from configuration, but a key never carries unchecked text.</summary>
    public static string PartitionKey(string region)
    {
        var key = new StringBuilder("h-", region.Length + 2);
        foreach (var c in region)
        {
            if (char.IsAsciiLetterOrDigit(c) || c == '-')
            {
                key.Append(c);
            }
            else
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    key.Append('_').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        return key.ToString();
    }

    public static byte[] Encode(IReadOnlyList<HistorySample> samples)
    {
        var bytes = new byte[samples.Count * SampleBytes];
        for (var i = 0; i < samples.Count; i++)
        {
            var span = bytes.AsSpan(i * SampleBytes, SampleBytes);
            var sample = samples[i];
            BinaryPrimitives.WriteInt64LittleEndian(span, sample.At.ToUnixTimeSeconds());
            BinaryPrimitives.WriteDoubleLittleEndian(span[8..], sample.HttpAnnouncesPerSecond);
            BinaryPrimitives.WriteDoubleLittleEndian(span[16..], sample.UdpAnnouncesPerSecond);
            BinaryPrimitives.WriteInt64LittleEndian(span[24..], sample.Peers);
            BinaryPrimitives.WriteInt64LittleEndian(span[32..], sample.Swarms);
        }

        return bytes;
    }

    /// <summary>Reads what <see cref="Encode"/> wrote; a truncated tail (never written, but storage is not trusted) is ignored.</summary>
    public static HistorySample[] Decode(byte[]? bytes)
    {
        if (bytes is null)
        {
            return [];
        }

        var samples = new HistorySample[bytes.Length / SampleBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            ReadOnlySpan<byte> span = bytes.AsSpan(i * SampleBytes, SampleBytes);
            var seconds = Math.Clamp(BinaryPrimitives.ReadInt64LittleEndian(span), 0, 253_402_300_799);
            samples[i] = new HistorySample(
                DateTimeOffset.FromUnixTimeSeconds(seconds),
                BinaryPrimitives.ReadDoubleLittleEndian(span[8..]),
                BinaryPrimitives.ReadDoubleLittleEndian(span[16..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[24..]),
                BinaryPrimitives.ReadInt64LittleEndian(span[32..]));
        }

        return samples;
    }
}
