using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>The client allow and deny lists (<c>/clients</c>): peer_id prefixes, managed as the info-hash lists are.</summary>
public static class AdminClientEndpoints
{
    /// <summary>Most prefixes one call may add.</summary>
    public const int MaxPrefixesPerCall = 100;

    public static RouteGroupBuilder MapAdminClients(this RouteGroupBuilder group)
    {
        group.MapGet("/clients", static (AnnouncePolicy policy) => AdminEndpoints.Json(
            new ClientListsJson(Sorted(policy.Clients.List(ClientListKind.Allow)), Sorted(policy.Clients.List(ClientListKind.Deny))),
            AdminJsonContext.Default.ClientListsJson));

        group.MapPost("/clients/{list}", static async (string list, HttpContext context, AnnouncePolicy policy) =>
        {
            if (!TryParseList(list, out var kind))
            {
                return AdminEndpoints.Error(StatusCodes.Status404NotFound, "lists are 'allow' and 'deny'");
            }

            var (body, valid) = await AdminEndpoints.ReadBodyAsync(context, AdminJsonContext.Default.AddClientRequest);
            var prefixes = new List<string>();
            foreach (var prefix in (IEnumerable<string?>)[body?.Prefix, .. body?.Prefixes ?? []])
            {
                if (prefix is null)
                {
                    continue;
                }

                // Not trimmed: a prefix is matched byte for byte, and spaces are refused rather than guessed away.
                if (!ClientRule.IsValidPrefix(prefix))
                {
                    return AdminEndpoints.Error(StatusCodes.Status400BadRequest,
                        $"'{(prefix.Length > 40 ? prefix[..40] + "..." : prefix)}' is not a client prefix: 1 to 20 printable ASCII characters, no spaces (like -XL0012- or M4-3-)");
                }

                if (!prefixes.Contains(prefix))
                {
                    prefixes.Add(prefix);
                }
            }

            if (!valid || prefixes.Count == 0 || prefixes.Count > MaxPrefixesPerCall || body?.Note?.Length > AdminAccessListEndpoints.MaxNoteLength)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, "expected {\"prefix\": \"-XL0012-\"} or {\"prefixes\": [...]} (at most 100), and an optional note");
            }

            var added = new List<ClientRuleJson>(prefixes.Count);
            foreach (var prefix in prefixes)
            {
                added.Add(ToJson(await policy.Clients.AddAsync(kind, prefix, body?.Note, context.RequestAborted)));
            }

            return AdminEndpoints.Json(new ClientRulesJson(added), AdminJsonContext.Default.ClientRulesJson, StatusCodes.Status201Created);
        });

        // The prefix as a path segment (a '/' in it escaped as %2F), or in the query: ?prefix=... takes any prefix unescaped
        // by the usual rules, and keeps the path literal, which the manage function under the Functions host requires.
        group.MapDelete("/clients/{list}/{**prefix}", static (string list, string prefix, HttpContext context, AnnouncePolicy policy) =>
            RemoveAsync(list, prefix.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase), context, policy));
        group.MapDelete("/clients/{list}", static (string list, string? prefix, HttpContext context, AnnouncePolicy policy) =>
            RemoveAsync(list, prefix, context, policy));
        return group;
    }

    private static async Task<IResult> RemoveAsync(string list, string? prefix, HttpContext context, AnnouncePolicy policy)
    {
        if (!TryParseList(list, out var kind) || prefix is null || !ClientRule.IsValidPrefix(prefix))
        {
            return AdminEndpoints.Error(StatusCodes.Status404NotFound, "expected /clients/{allow|deny}/{prefix} or /clients/{allow|deny}?prefix=...");
        }

        return await policy.Clients.RemoveAsync(kind, prefix, context.RequestAborted)
            ? Results.NoContent()
            : AdminEndpoints.Error(StatusCodes.Status404NotFound, "not on that list");
    }

    private static bool TryParseList(string list, out ClientListKind kind)
    {
        kind = list switch { "allow" => ClientListKind.Allow, "deny" => ClientListKind.Deny, _ => (ClientListKind)255 };
        return (byte)kind != 255;
    }

    private static List<ClientRuleJson> Sorted(List<ClientRule> rules)
    {
        rules.Sort(static (a, b) => string.CompareOrdinal(a.Prefix, b.Prefix));
        return rules.ConvertAll(ToJson);
    }

    private static ClientRuleJson ToJson(ClientRule rule) =>
        new(rule.Prefix, rule.Kind == ClientListKind.Allow ? "allow" : "deny", rule.Note, rule.AddedAt);
}
