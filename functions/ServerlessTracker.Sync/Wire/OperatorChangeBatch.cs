using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;

namespace ServerlessTracker.Sync.Wire;

/// <summary>The JSON body of an operator sync CloudEvent: passkeys, their figures and the access lists, as states that
/// merge in any order.</summary>
/// <remarks>
/// CloudEvent type <c>dev.serverlesstracker.operator.v1</c>, source <c>/regions/{region}</c>, <c>datacontenttype</c>
/// <c>application/json</c>, the data inline. Every list is optional; times are ISO 8601, versions Unix ms (<c>ChangeVersion</c>):
/// <code>
/// {"passkeys":   [{"passkey": "32 hex", "name": "alice", "createdAt": "…", "revokedAt": "…" | null}],
///  "usage":      [{"passkey": "32 hex", "origin": "westeurope-32hex", "uploaded": 1, "downloaded": 2, "version": 1764000000000}],
///  "infoHashes": [{"list": "allow" | "deny", "hash": "40 hex", "given": "40 or 64 hex", "note": "…", "addedAt": "…", "version": 1, "removed": false}],
///  "ips":        [{"entry": "198.51.100.0/24", "note": "…", "addedAt": "…", "lastUsedAt": "…", "version": 1, "removed": false}],
///  "ipUses":     [{"entry": "198.51.100.0/24", "lastUsedAt": "…"}],
///  "clients":    [{"list": "allow" | "deny", "prefix": "-XL0012-", "note": "…", "addedAt": "…", "version": 1, "removed": false}],
///  "factors":    [{"hash": "40 hex", "given": "40 or 64 hex", "upload": 200 | null, "download": 0 | null, "from": "…" | null, "until": "…" | null,
///                  "note": "…", "addedAt": "…", "version": 1, "removed": false}]}
/// </code>
/// A passkey is the whole record (a revocation may come without <c>createdAt</c>): merged, the earliest creation and
/// revocation win. A usage item is one origin's cumulative figures: it replaces that origin's row only when newer. List
/// entries and torrent factors win by version (a removal is a tombstone); an IP entry's last use only moves forward. Unknown properties are
/// ignored, so later versions may add some.
/// </remarks>
public sealed class OperatorChangeBatch
{
    public List<PasskeyChange>? Passkeys { get; set; }

    public List<UsageChange>? Usage { get; set; }

    public List<InfoHashChange>? InfoHashes { get; set; }

    public List<IpChange>? Ips { get; set; }

    public List<IpUseChange>? IpUses { get; set; }

    public List<ClientChange>? Clients { get; set; }

    public List<FactorChange>? Factors { get; set; }

    [JsonIgnore]
    public int Count => (Passkeys?.Count ?? 0) + (Usage?.Count ?? 0) + (InfoHashes?.Count ?? 0) + (Ips?.Count ?? 0) + (IpUses?.Count ?? 0) + (Clients?.Count ?? 0) + (Factors?.Count ?? 0);

    public void Add(OperatorChange change)
    {
        switch (change)
        {
            case PasskeyChange passkey:
                (Passkeys ??= []).Add(passkey);
                break;
            case UsageChange usage:
                (Usage ??= []).Add(usage);
                break;
            case InfoHashChange infoHash:
                (InfoHashes ??= []).Add(infoHash);
                break;
            case IpChange ip:
                (Ips ??= []).Add(ip);
                break;
            case IpUseChange use:
                (IpUses ??= []).Add(use);
                break;
            case ClientChange client:
                (Clients ??= []).Add(client);
                break;
            case FactorChange factor:
                (Factors ??= []).Add(factor);
                break;
        }
    }

    public byte[] Encode() => JsonSerializer.SerializeToUtf8Bytes(this, OperatorJsonContext.Default.OperatorChangeBatch);

    /// <summary>Decodes a batch; null when the data is not one.</summary>
    public static OperatorChangeBatch? Decode(BinaryData data)
    {
        try
        {
            return JsonSerializer.Deserialize(data.ToMemory().Span, OperatorJsonContext.Default.OperatorChangeBatch);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One change to operator data, as queued for publishing.</summary>
public abstract record OperatorChange;

/// <summary>A passkey as its region knows it.</summary>
public sealed record PasskeyChange(string Passkey, string? Name, DateTimeOffset? CreatedAt, DateTimeOffset? RevokedAt) : OperatorChange
{
    public static PasskeyChange From(PasskeyRecord record) => new(record.Passkey, record.Name, record.CreatedAt, record.RevokedAt);

    /// <summary>The record to merge; null when the change names no time at all.</summary>
    public PasskeyRecord? ToRecord() =>
        (CreatedAt ?? RevokedAt) is { } created ? new PasskeyRecord(Passkey, Name, created, RevokedAt, 0, 0) : null;
}

/// <summary>One origin's cumulative figures for one passkey.</summary>
public sealed record UsageChange(string Passkey, string Origin, long Uploaded, long Downloaded, long Version) : OperatorChange
{
    public static UsageChange From(UsageSnapshot usage) => new(usage.Passkey, usage.Origin, usage.Uploaded, usage.Downloaded, usage.Version);

    public UsageSnapshot ToSnapshot() => new(Passkey, Origin, Uploaded, Downloaded, Version);
}

/// <summary>An info-hash rule or its removal.</summary>
public sealed record InfoHashChange(string List, string Hash, string Given, string? Note, DateTimeOffset AddedAt, long Version, bool Removed) : OperatorChange
{
    public static InfoHashChange From(InfoHashRule rule) =>
        new(rule.Kind == InfoHashListKind.Allow ? "allow" : "deny", rule.Hash.ToHex(), rule.Given, rule.Note, rule.AddedAt, rule.Version, rule.Removed);

    /// <summary>The rule; null when the list or the hash is not one.</summary>
    public InfoHashRule? ToRule()
    {
        InfoHashListKind? kind = List switch { "allow" => InfoHashListKind.Allow, "deny" => InfoHashListKind.Deny, _ => null };
        return kind is { } k && InfoHash.TryParseHex(Hash, out var hash)
            ? new InfoHashRule(hash, k, Given, Note, AddedAt, Version, Removed)
            : null;
    }
}

/// <summary>A torrent's factors or their removal. The factors only: figures travel as usage, already credited, so a region
/// applies factors to the announces it takes and never to figures it receives.</summary>
public sealed record FactorChange(
    string Hash, string Given, int? Upload, int? Download, DateTimeOffset? From, DateTimeOffset? Until, string? Note, DateTimeOffset AddedAt, long Version, bool Removed)
    : OperatorChange
{
    // Not From, as the other changes: this record has a From (the window's start).
    public static FactorChange Of(TorrentFactor factor) =>
        new(factor.Hash.ToHex(), factor.Given, factor.UploadPercent, factor.DownloadPercent, factor.From, factor.Until, factor.Note, factor.AddedAt, factor.Version, factor.Removed);

    /// <summary>The factors; null when the hash is not one or the factors make no sense (<see cref="TorrentFactor.IsValid"/>, removals excepted).</summary>
    public TorrentFactor? ToFactor()
    {
        if (!InfoHash.TryParseHex(Hash, out var hash) || Given is null)
        {
            return null;
        }

        var factor = new TorrentFactor(hash, Given, Upload, Download, Note, AddedAt, From, Until, Version, Removed);
        return factor.Removed || factor.IsValid ? factor : null;
    }
}

/// <summary>An IP allow-list entry or its removal.</summary>
public sealed record IpChange(string Entry, string? Note, DateTimeOffset AddedAt, DateTimeOffset LastUsedAt, long Version, bool Removed) : OperatorChange
{
    public static IpChange From(IpAllowRecord record) => new(record.Entry, record.Note, record.AddedAt, record.LastUsedAt, record.Version, record.Removed);

    public IpAllowRecord ToRecord() => new(Entry, Note, AddedAt, LastUsedAt, Version, Removed);
}

/// <summary>A client rule (peer_id prefix) or its removal.</summary>
public sealed record ClientChange(string List, string Prefix, string? Note, DateTimeOffset AddedAt, long Version, bool Removed) : OperatorChange
{
    public static ClientChange From(ClientRule rule) =>
        new(rule.Kind == ClientListKind.Allow ? "allow" : "deny", rule.Prefix, rule.Note, rule.AddedAt, rule.Version, rule.Removed);

    /// <summary>The rule; null when the list or the prefix is not one.</summary>
    public ClientRule? ToRule()
    {
        ClientListKind? kind = List switch { "allow" => ClientListKind.Allow, "deny" => ClientListKind.Deny, _ => null };
        return kind is { } k && Prefix is { } prefix && ClientRule.IsValidPrefix(prefix)
            ? new ClientRule(prefix, k, Note, AddedAt, Version, Removed)
            : null;
    }
}

/// <summary>A use of an IP allow-list entry.</summary>
public sealed record IpUseChange(string Entry, DateTimeOffset LastUsedAt) : OperatorChange;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OperatorChangeBatch))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
