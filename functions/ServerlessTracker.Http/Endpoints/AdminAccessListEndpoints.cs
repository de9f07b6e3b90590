using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>The info-hash allow and deny lists (<c>/infohashes</c>) and the IP allow-list (<c>/ips</c>).</summary>
public static class AdminAccessListEndpoints
{
    public const int MaxNoteLength = 200;

    public static RouteGroupBuilder MapAdminAccessLists(this RouteGroupBuilder group)
    {
        group.MapGet("/infohashes", static (AnnouncePolicy policy) => AdminEndpoints.Json(
            new InfoHashListsJson(
                policy.Access.InfoHashAllowListOnly,
                Sorted(policy.InfoHashes.List(InfoHashListKind.Allow)),
                Sorted(policy.InfoHashes.List(InfoHashListKind.Deny))),
            AdminJsonContext.Default.InfoHashListsJson));

        group.MapPost("/infohashes/{list}", static async (string list, HttpContext context, AnnouncePolicy policy) =>
        {
            if (!TryParseList(list, out var kind))
            {
                return AdminEndpoints.Error(StatusCodes.Status404NotFound, "lists are 'allow' and 'deny'");
            }

            var (body, valid) = await AdminEndpoints.ReadBodyAsync(context, AdminJsonContext.Default.AddInfoHashRequest);
            var given = new List<NamedHash>();
            var texts = new List<(string? Text, bool? V2)> { (body?.Hash, null), (body?.V1, false), (body?.V2, true) };
            foreach (var text in body?.Hashes ?? [])
            {
                texts.Add((text, null));
            }

            foreach (var (text, v2) in texts)
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                if (!InfoHashText.TryParse(text, out var named) || (v2 is { } wanted && named.Exists(n => n.IsV2 != wanted)))
                {
                    var expected = v2 switch { null => InfoHashText.Forms, false => "v1 (40 hex, 32 base32 or a magnet link)", true => "v2 (64 hex or a magnet link)" };
                    return AdminEndpoints.Error(StatusCodes.Status400BadRequest, $"'{Shorten(text.Trim())}' is not a {expected} info-hash");
                }

                foreach (var hash in named)
                {
                    if (!given.Contains(hash))
                    {
                        given.Add(hash);
                    }
                }
            }

            if (!valid || given.Count == 0 || body?.Note?.Length > MaxNoteLength)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, "expected {\"hash\": \"<info-hash or magnet link>\"}, {\"hashes\": [...]} or {\"v1\": \"<40 hex>\", \"v2\": \"<64 hex>\"}, and an optional note");
            }

            var added = new List<InfoHashRuleJson>(given.Count);
            foreach (var (hex, hash) in given)
            {
                added.Add(ToJson(await policy.InfoHashes.AddAsync(kind, hex, hash, body?.Note, context.RequestAborted)));
            }

            return AdminEndpoints.Json(new InfoHashRulesJson(added), AdminJsonContext.Default.InfoHashRulesJson, StatusCodes.Status201Created);
        });

        // The hash as a path segment, or in the query (?hash=...): a magnet link there keeps the path literal, which the
        // manage function under the Functions host requires.
        group.MapDelete("/infohashes/{list}/{hash}", static (string list, string hash, HttpContext context, AnnouncePolicy policy) =>
            RemoveAsync(list, hash, context, policy));
        group.MapDelete("/infohashes/{list}", static (string list, string? hash, HttpContext context, AnnouncePolicy policy) =>
            RemoveAsync(list, hash, context, policy));

        group.MapGet("/ips", static (AnnouncePolicy policy) =>
        {
            var entries = policy.IpAllowList.List();
            entries.Sort(static (a, b) => string.CompareOrdinal(a.Entry, b.Entry));
            var json = entries.ConvertAll(e => ToJson(e, policy.Access.IpAllowListExpirySeconds));
            return AdminEndpoints.Json(new IpListJson(policy.Access.IpAllowListEnabled, policy.Access.IpAllowListExpirySeconds, json), AdminJsonContext.Default.IpListJson);
        });

        group.MapPost("/ips", static async (HttpContext context, AnnouncePolicy policy) =>
        {
            var (body, valid) = await AdminEndpoints.ReadBodyAsync(context, AdminJsonContext.Default.AddIpRequest);
            if (!valid || string.IsNullOrWhiteSpace(body?.Entry) || body.Note?.Length > MaxNoteLength)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, "expected {\"entry\": \"<address or CIDR range>\"} and an optional note");
            }

            return await policy.IpAllowList.AddAsync(body.Entry, body.Note, context.RequestAborted) is { } entry
                ? AdminEndpoints.Json(ToJson(entry, policy.Access.IpAllowListExpirySeconds), AdminJsonContext.Default.IpEntryJson, StatusCodes.Status201Created)
                : AdminEndpoints.Error(StatusCodes.Status400BadRequest, $"'{body.Entry}' is neither an address nor a CIDR range");
        });

        group.MapDelete("/ips/{**entry}", static async (string entry, HttpContext context, AnnouncePolicy policy) =>
            await policy.IpAllowList.RemoveAsync(Uri.UnescapeDataString(entry), context.RequestAborted)
                ? Results.NoContent()
                : AdminEndpoints.Error(StatusCodes.Status404NotFound, "not on the IP allow-list"));
        return group;
    }

    private static async Task<IResult> RemoveAsync(string list, string? hash, HttpContext context, AnnouncePolicy policy)
    {
        if (!TryParseList(list, out var kind) || !InfoHashText.TryParse(hash, out var named))
        {
            return AdminEndpoints.Error(StatusCodes.Status404NotFound, $"expected /infohashes/{{allow|deny}}/{{hash}} or ?hash=..., a hash being {InfoHashText.Forms}");
        }

        // A hybrid magnet names two rules: each is removed, and the call succeeds if any was listed.
        var removed = false;
        foreach (var (_, parsed) in named)
        {
            removed |= await policy.InfoHashes.RemoveAsync(kind, parsed, context.RequestAborted);
        }

        return removed ? Results.NoContent() : AdminEndpoints.Error(StatusCodes.Status404NotFound, "not on that list");
    }

    /// <summary>Reads the one swarm a path segment names, in any form an operator pastes (<see cref="InfoHashText"/>).</summary>
    /// <returns>Null when it names one swarm, else why not.</returns>
    public static string? TryParseOneHash(string text, out InfoHash hash)
    {
        hash = default;
        if (!InfoHashText.TryParse(text, out var named))
        {
            return $"expected an info-hash: {InfoHashText.Forms}";
        }

        if (named.Count > 1)
        {
            return $"the link names {named.Count} swarms ({string.Join(", ", named.ConvertAll(n => n.Hash.ToHex()))}): give one";
        }

        hash = named[0].Hash;
        return null;
    }

    // Echoes enough of a bad paste to recognize it, not a whole magnet link.
    private static string Shorten(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");

    private static bool TryParseList(string list, out InfoHashListKind kind)
    {
        kind = list switch { "allow" => InfoHashListKind.Allow, "deny" => InfoHashListKind.Deny, _ => (InfoHashListKind)255 };
        return (byte)kind != 255;
    }

    private static List<InfoHashRuleJson> Sorted(List<InfoHashRule> rules)
    {
        rules.Sort(static (a, b) => a.AddedAt.CompareTo(b.AddedAt));
        return rules.ConvertAll(ToJson);
    }

    private static InfoHashRuleJson ToJson(InfoHashRule rule) =>
        new(rule.Hash.ToHex(), rule.Given, rule.Kind == InfoHashListKind.Allow ? "allow" : "deny", rule.Note, rule.AddedAt);

    private static IpEntryJson ToJson(IpAllowEntry entry, long expirySeconds) =>
        new(entry.Entry, entry.Note, entry.AddedAt, entry.LastUsedAt, expirySeconds > 0 ? entry.LastUsedAt.AddSeconds(expirySeconds) : null);
}
