using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;

namespace ServerlessTracker.Http.Endpoints;

/// <summary>Per-torrent upload and download factors (<c>/factors</c>): freeleech, half-leech, double upload.</summary>
/// <remarks>Torrents are named as the info-hash lists take them (<see cref="InfoHashText"/>): a hybrid torrent's magnet link
/// sets its v1 and truncated v2 hashes alike. Setting replaces what the torrent had; a factor not given follows the defaults.</remarks>
public static class AdminFactorEndpoints
{
    /// <summary>Most torrents one call may set.</summary>
    public const int MaxHashesPerCall = 100;

    public static RouteGroupBuilder MapAdminFactors(this RouteGroupBuilder group)
    {
        group.MapGet("/factors", static (AnnouncePolicy policy, TimeProvider time) =>
        {
            var factors = policy.Factors.List();
            factors.Sort(static (a, b) => a.AddedAt.CompareTo(b.AddedAt));
            var now = time.GetUtcNow();
            var defaults = policy.PrivateMode.DefaultFactors();
            return AdminEndpoints.Json(
                new FactorListJson(new FactorsJson(defaults.UploadPercent, defaults.DownloadPercent), factors.ConvertAll(f => ToJson(f, defaults, now))),
                AdminJsonContext.Default.FactorListJson);
        });

        group.MapPost("/factors", static async (HttpContext context, AnnouncePolicy policy, TimeProvider time) =>
        {
            var (body, valid) = await AdminEndpoints.ReadBodyAsync(context, AdminJsonContext.Default.SetFactorRequest);
            var given = new List<NamedHash>();
            foreach (var text in (IEnumerable<string?>)[body?.Hash, .. body?.Hashes ?? []])
            {
                if (string.IsNullOrWhiteSpace(text))
                {
                    continue;
                }

                if (!InfoHashText.TryParse(text, out var named))
                {
                    return AdminEndpoints.Error(StatusCodes.Status400BadRequest, $"'{(text.Length > 80 ? text[..77] + "..." : text.Trim())}' is not a {InfoHashText.Forms} info-hash");
                }

                foreach (var hash in named)
                {
                    if (!given.Contains(hash))
                    {
                        given.Add(hash);
                    }
                }
            }

            if (!valid || body is null || given.Count == 0 || given.Count > MaxHashesPerCall || body.Note?.Length > AdminAccessListEndpoints.MaxNoteLength)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest,
                    "expected {\"hash\": \"<info-hash or magnet link>\"} or {\"hashes\": [...]} (at most 100), \"upload\" and/or \"download\" in percent, optional \"from\", \"until\" and \"note\"");
            }

            var template = new TorrentFactor(default, "", body.Upload, body.Download, body.Note, default, body.From, body.Until);
            if (!template.IsValid)
            {
                return AdminEndpoints.Error(StatusCodes.Status400BadRequest,
                    "factors are whole percentages from 0 to 1000 (0: freeleech download, 200: double upload), at least one of upload and download, and until after from");
            }

            var set = new List<TorrentFactorJson>(given.Count);
            var defaults = policy.PrivateMode.DefaultFactors();
            foreach (var (text, hash) in given)
            {
                var factor = await policy.Factors.SetAsync(template with { Hash = hash, Given = text }, context.RequestAborted);
                set.Add(ToJson(factor, defaults, time.GetUtcNow()));
            }

            return AdminEndpoints.Json(new TorrentFactorsJson(set), AdminJsonContext.Default.TorrentFactorsJson, StatusCodes.Status201Created);
        });

        // The hash as a path segment, or in the query (?hash=...): a magnet link there keeps the path literal, which the
        // manage function under the Functions host requires.
        group.MapDelete("/factors/{hash}", static (string hash, HttpContext context, AnnouncePolicy policy) => RemoveAsync(hash, context, policy));
        group.MapDelete("/factors", static (string? hash, HttpContext context, AnnouncePolicy policy) => RemoveAsync(hash, context, policy));
        return group;
    }

    private static async Task<IResult> RemoveAsync(string? hash, HttpContext context, AnnouncePolicy policy)
    {
        if (!InfoHashText.TryParse(hash, out var named))
        {
            return AdminEndpoints.Error(StatusCodes.Status404NotFound, $"expected /factors/{{hash}} or /factors?hash=..., a hash being {InfoHashText.Forms}");
        }

        // A hybrid magnet names two torrents' factors: each is removed, and the call succeeds if any was set.
        var removed = false;
        foreach (var (_, parsed) in named)
        {
            removed |= await policy.Factors.RemoveAsync(parsed, context.RequestAborted);
        }

        return removed ? Results.NoContent() : AdminEndpoints.Error(StatusCodes.Status404NotFound, "that torrent has no factors of its own");
    }

    private static TorrentFactorJson ToJson(TorrentFactor factor, TransferFactors defaults, DateTimeOffset now)
    {
        var active = factor.IsActiveAt(now);
        var effective = active ? factor.Over(defaults) : defaults;
        return new TorrentFactorJson(factor.Hash.ToHex(), factor.Given, factor.UploadPercent, factor.DownloadPercent, factor.From, factor.Until, active,
            new FactorsJson(effective.UploadPercent, effective.DownloadPercent), factor.Note, factor.AddedAt);
    }
}
