using System.Text;
using Azure;
using Azure.Data.Tables;
using ServerlessTracker.Engine.Policy.AccessLists;

namespace ServerlessTracker.Storage.Operator;

/// <summary>The client allow and deny lists (peer_id prefixes) in Table Storage, beside the info-hash lists.</summary>
/// <remarks>
/// <code>
/// table accesslists (Tracker:Tables:AccessListsTable)
///   PartitionKey "client-allow" | "client-deny"
///   RowKey = the prefix's ASCII bytes as lowercase hex (a prefix may hold '/', '\', '#' or '?', which RowKeys may not)
///   Prefix (the text), Note (optional), AddedAt, Version (Int64), Removed (bool: a tombstone)
/// </code>
/// A change is written only over an older one (<see cref="ClientRule.Supersedes"/>): read, then a write guarded by the
/// ETag read, again on a conflict. Rows whose prefix is not a valid one (edited by hand) are skipped.
/// </remarks>
public sealed class TableClientListStore(TableServiceClient service, OperatorTablesOptions options) : IClientListStore
{
    private const string AllowPartition = "client-allow";
    private const string DenyPartition = "client-deny";
    private readonly LazyTable _table = new(service, options.AccessListsTable);

    public async ValueTask<IReadOnlyList<ClientRule>> ListAsync(CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var rules = new List<ClientRule>();
        await foreach (var row in table.QueryAsync<TableEntity>(r => r.PartitionKey == AllowPartition || r.PartitionKey == DenyPartition,
            maxPerPage: 1000, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (ToRule(row) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    public async ValueTask<bool> PutAsync(ClientRule rule, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        var entity = new TableEntity(Partition(rule.Kind), RowKey(rule.Prefix))
        {
            ["Prefix"] = rule.Prefix,
            ["AddedAt"] = rule.AddedAt,
            ["Version"] = rule.Version,
            ["Removed"] = rule.Removed,
        };
        if (rule.Note is not null)
        {
            entity["Note"] = rule.Note;
        }

        return await TableInfoHashListStore.PutIfNewerAsync(table, entity, row => ToRule(row) is { } stored && !rule.Supersedes(stored), cancellationToken)
            .ConfigureAwait(false);
    }

    public async ValueTask<bool> DeleteAsync(string prefix, ClientListKind kind, long version, CancellationToken cancellationToken)
    {
        var table = await _table.GetAsync(cancellationToken).ConfigureAwait(false);
        return await TableInfoHashListStore.DeleteIfAsync(table, Partition(kind), RowKey(prefix), row => (row.GetInt64("Version") ?? 0) == version, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The RowKey of a prefix: its bytes in hex, so no character a client names reaches a key unencoded.</summary>
    public static string RowKey(string prefix) => Convert.ToHexStringLower(Encoding.ASCII.GetBytes(prefix));

    private static ClientRule? ToRule(TableEntity row) =>
        row.GetString("Prefix") is { } prefix && ClientRule.IsValidPrefix(prefix) && RowKey(prefix) == row.RowKey
            ? new ClientRule(prefix, row.PartitionKey == AllowPartition ? ClientListKind.Allow : ClientListKind.Deny,
                row.GetString("Note"), row.GetDateTimeOffset("AddedAt") ?? DateTimeOffset.UnixEpoch,
                row.GetInt64("Version") ?? 0, row.GetBoolean("Removed") ?? false)
            : null;

    private static string Partition(ClientListKind kind) => kind == ClientListKind.Allow ? AllowPartition : DenyPartition;
}
