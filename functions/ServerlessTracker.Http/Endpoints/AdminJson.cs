using System.Text.Json;
using System.Text.Json.Serialization;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Hosting.Purging;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Endpoints;

/// <summary><c>POST /admin/passkeys</c> body (optional).</summary>
public sealed record CreatePasskeyRequest(string? Name);

/// <summary>A passkey and its figures in bytes.</summary>
public sealed record PasskeyJson(
    string Passkey, string? Name, DateTimeOffset CreatedAt, bool Revoked, DateTimeOffset? RevokedAt,
    long Uploaded, long Downloaded, double? Ratio, string AnnounceUrl);

/// <summary>Every passkey with its figures.</summary>
public sealed record PasskeyListJson(int Count, IReadOnlyList<PasskeyJson> Passkeys);

/// <summary><c>POST /admin/infohashes/{allow|deny}</c> body: hashes as pasted (<see cref="Engine.Policy.AccessLists.InfoHashText"/>:
/// 40 hex or 32 base32 for v1, 64 hex for v2, or a magnet link) in <c>hash</c> or <c>hashes</c>; <c>v1</c> and <c>v2</c>
/// take only that version. A rule is added for each hash named (two for a hybrid torrent).</summary>
public sealed record AddInfoHashRequest(string? Hash, string? V1, string? V2, string? Note, IReadOnlyList<string?>? Hashes = null);

/// <summary>One list entry: <c>infoHash</c> is the 20 bytes clients announce (40 hex), <c>given</c> what the operator gave.</summary>
public sealed record InfoHashRuleJson(string InfoHash, string Given, string List, string? Note, DateTimeOffset AddedAt);

/// <summary>The rules one call added (two for a hybrid torrent).</summary>
public sealed record InfoHashRulesJson(IReadOnlyList<InfoHashRuleJson> Added);

/// <summary>Both info-hash lists, and whether the allow list alone decides.</summary>
public sealed record InfoHashListsJson(bool AllowListOnly, IReadOnlyList<InfoHashRuleJson> Allow, IReadOnlyList<InfoHashRuleJson> Deny);

/// <summary><c>POST /admin/clients/{allow|deny}</c> body: a peer_id prefix (<c>-XL0012-</c>, <c>M4-3-</c>) or several.</summary>
public sealed record AddClientRequest(string? Prefix, string? Note, IReadOnlyList<string?>? Prefixes = null);

/// <summary>One client rule: the peer_id prefix, its list, why.</summary>
public sealed record ClientRuleJson(string Prefix, string List, string? Note, DateTimeOffset AddedAt);

/// <summary>The rules one call added.</summary>
public sealed record ClientRulesJson(IReadOnlyList<ClientRuleJson> Added);

/// <summary>Both client lists; with any allow rule, only clients it matches are served.</summary>
public sealed record ClientListsJson(IReadOnlyList<ClientRuleJson> Allow, IReadOnlyList<ClientRuleJson> Deny);

/// <summary><c>POST /admin/factors</c> body: torrents as pasted (<c>hash</c> or <c>hashes</c>, as the info-hash lists take them),
/// their <c>upload</c> and/or <c>download</c> factor in whole percent (0 to 1000; absent: the default), and an optional window.</summary>
public sealed record SetFactorRequest(
    string? Hash, int? Upload, int? Download, DateTimeOffset? From = null, DateTimeOffset? Until = null, string? Note = null, IReadOnlyList<string?>? Hashes = null);

/// <summary>An upload and a download factor, in percent.</summary>
public sealed record FactorsJson(int Upload, int Download);

/// <summary>One torrent's factors as set (null: the default), its window, and what applies now (<c>effective</c>).</summary>
public sealed record TorrentFactorJson(
    string InfoHash, string Given, int? Upload, int? Download, DateTimeOffset? From, DateTimeOffset? Until, bool Active, FactorsJson Effective, string? Note, DateTimeOffset AddedAt);

/// <summary>The factors one call set (two for a hybrid torrent).</summary>
public sealed record TorrentFactorsJson(IReadOnlyList<TorrentFactorJson> Set);

/// <summary>The global defaults and every torrent with factors of its own.</summary>
public sealed record FactorListJson(FactorsJson Defaults, IReadOnlyList<TorrentFactorJson> Factors);

/// <summary><c>POST /admin/ips</c> body: an address or CIDR range.</summary>
public sealed record AddIpRequest(string? Entry, string? Note);

/// <summary>One IP allow-list entry: last use, and when it retires unless used again.</summary>
public sealed record IpEntryJson(string Entry, string? Note, DateTimeOffset AddedAt, DateTimeOffset LastUsedAt, DateTimeOffset? ExpiresAt);

/// <summary>The IP allow-list, whether it is enforced, and its inactivity expiry.</summary>
public sealed record IpListJson(bool Enabled, long ExpirySeconds, IReadOnlyList<IpEntryJson> Entries);

/// <summary>One swarm's figures.</summary>
public sealed record SwarmJson(string InfoHash, long Seeders, long Leechers, long Completed, long Peers);

/// <summary>The busiest swarms: how many there are, how many are shown.</summary>
public sealed record SwarmListJson(int Count, int Shown, IReadOnlyList<SwarmJson> Swarms);

/// <summary>One peer of an inspected swarm.</summary>
public sealed record PeerJson(string PeerId, string Address, int Port, bool Seeder, DateTimeOffset LastSeen, bool Remote);

/// <summary>One swarm with its peers.</summary>
public sealed record SwarmDetailsJson(string InfoHash, long Seeders, long Leechers, long Completed, DateTimeOffset LastActivity, IReadOnlyList<PeerJson> Peers);

/// <summary>The settings in effect, secrets left out (only whether they are set).</summary>
public sealed record SettingsJson(
    bool FunctionsHost,
    string SwarmStore,
    string PasskeyStore,
    SwarmSettings Swarm,
    HttpTrackerOptions Http,
    NetworkOptions Network,
    PurgeOptions Purge,
    PrivateModeSettings Private,
    AccessSettings Access,
    LeechControlSettings LeechControl,
    PolicySettings Policy,
    AdminSettingsJson Admin,
    StatsSettingsJson Stats,
    MetricsSettingsJson Metrics);

/// <summary>Admin settings in effect (whether a token is set, never the token; whether only the loopback is served).</summary>
public sealed record AdminSettingsJson(bool TokenSet, Uri? PublicUrl, bool LoopbackOnly);

/// <summary>Stats settings in effect (whether a token is set, never the token).</summary>
public sealed record StatsSettingsJson(bool Enabled, bool TokenSet, int RefreshSeconds, int BusiestSwarms, int HistoryMinutes);

/// <summary>Which metrics exporters are on.</summary>
public sealed record MetricsSettingsJson(bool Prometheus, bool ApplicationInsights, int ExportSeconds);

/// <summary>Every admin error answer: a message, never data.</summary>
public sealed record ErrorJson(string Error);

/// <summary>Source-generated JSON for the admin API (camelCase, no reflection at run time).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(CreatePasskeyRequest))]
[JsonSerializable(typeof(PasskeyJson))]
[JsonSerializable(typeof(PasskeyListJson))]
[JsonSerializable(typeof(AddInfoHashRequest))]
[JsonSerializable(typeof(InfoHashRulesJson))]
[JsonSerializable(typeof(InfoHashListsJson))]
[JsonSerializable(typeof(AddClientRequest))]
[JsonSerializable(typeof(ClientRulesJson))]
[JsonSerializable(typeof(ClientListsJson))]
[JsonSerializable(typeof(SetFactorRequest))]
[JsonSerializable(typeof(TorrentFactorsJson))]
[JsonSerializable(typeof(FactorListJson))]
[JsonSerializable(typeof(AddIpRequest))]
[JsonSerializable(typeof(IpEntryJson))]
[JsonSerializable(typeof(IpListJson))]
[JsonSerializable(typeof(SwarmListJson))]
[JsonSerializable(typeof(SwarmDetailsJson))]
[JsonSerializable(typeof(SettingsJson))]
[JsonSerializable(typeof(ErrorJson))]
public sealed partial class AdminJsonContext : JsonSerializerContext;
