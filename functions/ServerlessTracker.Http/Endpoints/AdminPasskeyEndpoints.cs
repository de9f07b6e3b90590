using Microsoft.Extensions.Options;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Http.Options;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Passkeys: create, list with figures, show one, revoke.</summary>
public static class AdminPasskeyEndpoints
{
    /// <summary>Longest passkey name accepted, in characters.</summary>
    public const int MaxNameLength = 200;

    public static RouteGroupBuilder MapAdminPasskeys(this RouteGroupBuilder group)
    {
        group.MapPost("/passkeys", static async (HttpContext context, AnnouncePolicy policy, IOptions<AdminOptions> options) =>
        {
            var (body, valid) = await AdminEndpoints.ReadBodyAsync(context, AdminJsonContext.Default.CreatePasskeyRequest);
            if (!valid)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, "expected an empty body or {\"name\": \"...\"}");
            }

            var name = string.IsNullOrWhiteSpace(body?.Name) ? null : body.Name.Trim();
            if (name?.Length > MaxNameLength)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest, $"name is longer than {MaxNameLength} characters");
            }

            var account = await policy.Passkeys.CreateAsync(name, context.RequestAborted);
            context.Response.Headers.Location = $"{context.Request.PathBase}{AdminPrefix(context)}/passkeys/{account.Passkey}";
            return AdminEndpoints.Json(ToJson(account, context, options.Value), AdminJsonContext.Default.PasskeyJson, StatusCodes.Status201Created);
        });

        group.MapGet("/passkeys", static (HttpContext context, AnnouncePolicy policy, IOptions<AdminOptions> options) =>
        {
            var accounts = policy.Passkeys.List();
            accounts.Sort(static (a, b) => a.CreatedAt.CompareTo(b.CreatedAt));
            var list = accounts.ConvertAll(a => ToJson(a, context, options.Value));
            return AdminEndpoints.Json(new PasskeyListJson(list.Count, list), AdminJsonContext.Default.PasskeyListJson);
        });

        group.MapGet("/passkeys/{passkey}", static (string passkey, HttpContext context, AnnouncePolicy policy, IOptions<AdminOptions> options) =>
            policy.Passkeys.Find(passkey) is { } account
                ? AdminEndpoints.Json(ToJson(account, context, options.Value), AdminJsonContext.Default.PasskeyJson)
                : AdminEndpoints.Error(StatusCodes.Status404NotFound, "no such passkey"));

        group.MapDelete("/passkeys/{passkey}", static async (string passkey, HttpContext context, AnnouncePolicy policy, IOptions<AdminOptions> options) =>
            await policy.Passkeys.RevokeAsync(passkey, context.RequestAborted) is { } account
                ? AdminEndpoints.Json(ToJson(account, context, options.Value), AdminJsonContext.Default.PasskeyJson)
                : AdminEndpoints.Error(StatusCodes.Status404NotFound, "no such passkey"));
        return group;
    }

    private static PasskeyJson ToJson(PasskeyAccount account, HttpContext context, AdminOptions options)
    {
        var uploaded = account.Uploaded;
        var downloaded = account.Downloaded;
        var baseUrl = options.PublicUrl?.ToString().TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        return new PasskeyJson(
            account.Passkey, account.Name, account.CreatedAt, account.IsRevoked, account.RevokedAt, uploaded, downloaded,
            downloaded == 0 ? null : Math.Round((double)uploaded / downloaded, 3),
            $"{baseUrl}/announce/{account.Passkey}");
    }

    private static string AdminPrefix(HttpContext context) =>
        context.Request.Path.StartsWithSegments(AdminEndpoints.FunctionPrefix) ? AdminEndpoints.FunctionPrefix : AdminEndpoints.StandalonePrefix;
}
