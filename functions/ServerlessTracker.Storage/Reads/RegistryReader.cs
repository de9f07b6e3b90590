using Azure.Data.Tables;
using ServerlessTracker.Engine;
using ServerlessTracker.Storage.Faults;
using ServerlessTracker.Storage.Schema;

namespace ServerlessTracker.Storage.Reads;

/// <summary>Which swarms exist, read from the index table: every registry row, or the journal of swarms created since a
/// time. One range query per index partition (16, in parallel), row keys only.</summary>
internal sealed class RegistryReader(TableClient index, StoreResilience resilience)
{
    private static readonly string[] KeyOnly = ["RowKey"];

    /// <summary>Every registered swarm (<c>r{hash}</c> rows).</summary>
    public Task<List<InfoHash>> ListRegisteredAsync(CancellationToken cancellationToken) =>
        ReadAsync(static _ => $"RowKey ge '{IndexRows.RegistryPrefix}' and RowKey lt '{IndexRows.RegistryEnd}'", 0, IndexRows.TryParseRegistryRowKey, cancellationToken);

    /// <summary>Swarms created at or after <paramref name="since"/> (unix seconds; <c>n{created}{hash}</c> rows).</summary>
    public Task<List<InfoHash>> ListCreatedSinceAsync(long since, CancellationToken cancellationToken) =>
        ReadAsync(static s => $"RowKey ge '{IndexRows.JournalBound(s)}' and RowKey lt '{IndexRows.JournalEnd}'", since, IndexRows.TryParseJournalRowKey, cancellationToken);

    private async Task<List<InfoHash>> ReadAsync(Func<long, string> range, long bound, TryParse parse, CancellationToken cancellationToken)
    {
        var reads = new List<Task<List<InfoHash>>>(16);
        foreach (var partition in IndexRows.AllPartitionKeys())
        {
            reads.Add(ReadPartitionAsync($"PartitionKey eq '{partition}' and {range(bound)}", parse, cancellationToken));
        }

        var hashes = new List<InfoHash>();
        foreach (var read in await Task.WhenAll(reads).ConfigureAwait(false))
        {
            hashes.AddRange(read);
        }

        return hashes;
    }

    private async Task<List<InfoHash>> ReadPartitionAsync(string filter, TryParse parse, CancellationToken cancellationToken) =>
        await resilience.ExecuteBackgroundAsync(static async (s, ct) =>
        {
            var hashes = new List<InfoHash>();
            await foreach (var row in s.index.QueryAsync<TableEntity>(s.filter, 1000, KeyOnly, ct).ConfigureAwait(false))
            {
                if (s.parse(row.RowKey, out var hash))
                {
                    hashes.Add(hash);
                }
            }

            return hashes;
        }, (index, filter, parse), cancellationToken).ConfigureAwait(false);

    private delegate bool TryParse(string rowKey, out InfoHash hash);
}
