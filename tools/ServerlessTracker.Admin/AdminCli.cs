using System.CommandLine;
using System.Net.Http;
using System.Text.Json.Nodes;
using ServerlessTracker.Admin.Checks;

namespace ServerlessTracker.Admin;

/// <summary>The command tree of <c>st-admin</c>: one subcommand per admin resource, each a thin call to the admin API.</summary>
/// <remarks>Exit codes: 0 done; 1 the tracker refused (an HTTP error: bad token, unknown passkey, ...); 2 usage error
/// or the tracker could not be reached. <c>check</c> has its own: 0 every check passed or was skipped, 1 a check failed, 2 usage
/// error (see <see cref="CheckCommand"/>).</remarks>
public static class AdminCli
{
    public const string UrlVariable = "TRACKER_URL";
    public const string TokenVariable = "TRACKER_ADMIN_TOKEN";
    public const string FunctionKeyVariable = "TRACKER_FUNCTION_KEY";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, HttpMessageHandler? handler = null)
    {
        var root = Build(environment, handler);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            await error.WriteLineAsync("try: st-admin --help");
            return 2;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }

    private static RootCommand Build(Func<string, string?> environment, HttpMessageHandler? handler)
    {
        var url = new Option<string>("--url", "-u")
        {
            Description = $"The tracker's base URL (env {UrlVariable}; default http://localhost:7071)",
            Recursive = true,
            DefaultValueFactory = _ => environment(UrlVariable) is { Length: > 0 } fromEnv ? fromEnv : "http://localhost:7071",
        };
        url.Validators.Add(result =>
        {
            if (!Uri.TryCreate(result.GetValueOrDefault<string>(), UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            {
                result.AddError("--url must be an absolute http(s) URL, like https://tracker.example.com");
            }
        });
        var token = new Option<string?>("--token", "-t")
        {
            // No default value factory: help prints defaults, and a secret must never be printed.
            Description = $"The admin token, Tracker:Admin:Token (env {TokenVariable})",
            Recursive = true,
        };
        var functionKey = new Option<string?>("--function-key", "-k")
        {
            Description = $"Under the Azure Functions host: the manage function's key (env {FunctionKeyVariable}); calls /manage instead of /admin",
            Recursive = true,
        };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON instead of tables", Recursive = true };

        var context = new Context(url, token, functionKey, json, environment, handler);
        var root = new RootCommand("st-admin: manage a ServerlessTracker (passkeys, access lists, swarms) through its admin API, and check a deployment.")
        {
            Options = { url, token, functionKey, json },
            Subcommands = { Passkeys(context), InfoHashes(context), Clients(context), Factors(context), Ips(context), Swarms(context), Settings(context), CheckCommand.Build(handler) },
        };
        return root;
    }

    private static Command Passkeys(Context context)
    {
        var passkey = new Argument<string>("passkey") { Description = "The passkey (32 hex digits)" };
        var name = new Option<string?>("--name", "-n") { Description = "Who the passkey is for" };
        var columns = new[] { "passkey", "name", "uploaded", "downloaded", "ratio", "revoked", "createdAt" };
        return new Command("passkey", "Passkeys for private mode: create, list with their figures, show, revoke")
        {
            context.Leaf("create", "Create a passkey; prints it and the announce URL to hand out", [name],
                p => new Call(HttpMethod.Post, "/passkeys", p.GetValue(name) is { } n ? new JsonObject { ["name"] = n } : null, new View())),
            context.Leaf("list", "List passkeys with uploaded/downloaded bytes", [],
                _ => new Call(HttpMethod.Get, "/passkeys", null, new View("passkeys", columns))),
            context.Leaf("show", "Show one passkey's figures", [passkey],
                p => new Call(HttpMethod.Get, "/passkeys/" + Segment(p.GetValue(passkey)), null, new View())),
            context.Leaf("revoke", "Revoke a passkey: its announces are refused from now on (figures are kept)", [passkey],
                p => new Call(HttpMethod.Delete, "/passkeys/" + Segment(p.GetValue(passkey)), null, new View())),
        };
    }

    private static Command InfoHashes(Context context)
    {
        var hashes = new Argument<string[]>("hash")
        {
            Description = "Info-hashes as pasted: 40 hex or 32 base32 (v1), 64 hex (v2), or a magnet link (quote it); a rule is added for each hash named, so a hybrid torrent takes both",
            Arity = ArgumentArity.OneOrMore,
        };
        var hash = new Argument<string>("hash") { Description = "An info-hash (40 hex, 32 base32, 64 hex) or a magnet link (quoted): every hash it names is removed" };
        var list = new Argument<string>("list") { Description = "allow or deny" };
        list.AcceptOnlyFromAmong("allow", "deny");
        var note = new Option<string?>("--note") { Description = "Why it is listed" };
        JsonObject Body(ParseResult p)
        {
            // The tracker reads each form (InfoHashText); the CLI passes them on as given.
            var given = new JsonArray();
            foreach (var text in p.GetValue(hashes) ?? [])
            {
                given.Add(text.Trim());
            }

            return new JsonObject { ["hashes"] = given, ["note"] = p.GetValue(note) };
        }

        var columns = new[] { "infoHash", "given", "list", "note", "addedAt" };
        return new Command("infohash", "The info-hash allow and deny lists")
        {
            context.Leaf("list", "Show both lists", [], _ => new Call(HttpMethod.Get, "/infohashes", null, new View())),
            context.Leaf("allow", "Add a torrent to the allow list (served when Tracker:Access:InfoHashAllowListOnly=true)", [hashes, note],
                p => new Call(HttpMethod.Post, "/infohashes/allow", Body(p), new View("added", columns))),
            context.Leaf("deny", "Add a torrent to the deny list (refused from now on)", [hashes, note],
                p => new Call(HttpMethod.Post, "/infohashes/deny", Body(p), new View("added", columns))),
            context.Leaf("remove", "Remove a torrent from a list", [list, hash],
                p => new Call(HttpMethod.Delete, Target($"/infohashes/{p.GetValue(list)}", "hash", p.GetValue(hash)!.Trim()), null, new View(Done: "removed"))),
        };
    }

    private static Command Clients(Context context)
    {
        var prefixes = new Argument<string[]>("prefix")
        {
            Description = "peer_id prefixes, like -XL0012- (one version), -qB (every qBittorrent) or M4-3-; put -- before them if one could be read as an option",
            Arity = ArgumentArity.OneOrMore,
        };
        var prefix = new Argument<string>("prefix") { Description = "A peer_id prefix (put -- before it when it starts with -)" };
        var list = new Argument<string>("list") { Description = "allow or deny" };
        list.AcceptOnlyFromAmong("allow", "deny");
        var note = new Option<string?>("--note") { Description = "Why it is listed" };
        JsonObject Body(ParseResult p)
        {
            var given = new JsonArray();
            foreach (var text in p.GetValue(prefixes) ?? [])
            {
                given.Add(text);
            }

            return new JsonObject { ["prefixes"] = given, ["note"] = p.GetValue(note) };
        }

        var columns = new[] { "prefix", "list", "note", "addedAt" };
        return new Command("client", "Client rules by peer_id prefix: deny rules refuse; with any allow rule, only matching clients are served")
        {
            context.Leaf("list", "Show both lists", [], _ => new Call(HttpMethod.Get, "/clients", null, new View())),
            context.Leaf("allow", "Allow clients: once any allow rule exists, only clients matching one are served", [prefixes, note],
                p => new Call(HttpMethod.Post, "/clients/allow", Body(p), new View("added", columns))),
            context.Leaf("deny", "Refuse clients (announces get 'client not allowed: <prefix>')", [prefixes, note],
                p => new Call(HttpMethod.Post, "/clients/deny", Body(p), new View("added", columns))),
            context.Leaf("remove", "Remove a rule", [list, prefix],
                p => new Call(HttpMethod.Delete, Target($"/clients/{p.GetValue(list)}", "prefix", p.GetValue(prefix)!), null, new View(Done: "removed"))),
        };
    }

    private static Command Factors(Context context)
    {
        var hashes = new Argument<string[]>("hash")
        {
            Description = "Torrents as pasted: 40 hex or 32 base32 (v1), 64 hex (v2), or a magnet link (quote it); a hybrid's link sets both hashes",
            Arity = ArgumentArity.OneOrMore,
        };
        var hash = new Argument<string>("hash") { Description = "An info-hash (40 hex, 32 base32, 64 hex) or a magnet link (quoted)" };
        var upload = new Option<int?>("--upload") { Description = "Upload credited, in percent (0-1000; 200: double upload)" };
        var download = new Option<int?>("--download") { Description = "Download credited, in percent (0-1000; 0: freeleech)" };
        var freeleech = new Option<bool>("--freeleech") { Description = "Same as --download 0" };
        var halfLeech = new Option<bool>("--half-leech") { Description = "Same as --download 50" };
        var doubleUpload = new Option<bool>("--double-upload") { Description = "Same as --upload 200" };
        var from = new Option<DateTimeOffset?>("--from") { Description = "When the factors start (ISO 8601, like 2026-12-12T00:00Z); default now" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "When they end (ISO 8601); default never" };
        var note = new Option<string?>("--note") { Description = "Why (an event, a promotion)" };
        JsonObject Body(ParseResult p)
        {
            var given = new JsonArray();
            foreach (var text in p.GetValue(hashes) ?? [])
            {
                given.Add(text.Trim());
            }

            // A flag names a factor the way operators say it; an explicit percent wins over it.
            var up = p.GetValue(upload) ?? (p.GetValue(doubleUpload) ? 200 : null);
            var down = p.GetValue(download) ?? (p.GetValue(freeleech) ? 0 : p.GetValue(halfLeech) ? 50 : null);
            return new JsonObject
            {
                ["hashes"] = given,
                ["upload"] = up,
                ["download"] = down,
                ["from"] = p.GetValue(from),
                ["until"] = p.GetValue(until),
                ["note"] = p.GetValue(note),
            };
        }

        var columns = new[] { "infoHash", "upload", "download", "from", "until", "active", "note" };
        return new Command("factor", "Freeleech, half-leech and double upload: per-torrent upload and download factors for passkey figures")
        {
            context.Leaf("list", "The defaults and every torrent with factors of its own", [], _ => new Call(HttpMethod.Get, "/factors", null, new View("factors", columns))),
            context.Leaf("set", "Set torrents' factors (replacing what they had); a factor not given follows the default",
                [hashes, upload, download, freeleech, halfLeech, doubleUpload, from, until, note],
                p => new Call(HttpMethod.Post, "/factors", Body(p), new View("set", columns))),
            context.Leaf("remove", "Remove a torrent's factors: the defaults apply again", [hash],
                p => new Call(HttpMethod.Delete, Target("/factors", "hash", p.GetValue(hash)!.Trim()), null, new View(Done: "removed"))),
        };
    }

    private static Command Ips(Context context)
    {
        var entry = new Argument<string>("entry") { Description = "An address (198.51.100.7) or CIDR range (198.51.100.0/24, 2001:db8::/32)" };
        var note = new Option<string?>("--note") { Description = "Whose it is" };
        return new Command("ip", "The IP allow-list (enforced when Tracker:Access:IpAllowListEnabled=true; unused entries expire)")
        {
            context.Leaf("list", "Show the entries, their last use and expiry", [],
                _ => new Call(HttpMethod.Get, "/ips", null, new View("entries", ["entry", "note", "lastUsedAt", "expiresAt"]))),
            context.Leaf("add", "Allow an address or range", [entry, note],
                p => new Call(HttpMethod.Post, "/ips", new JsonObject { ["entry"] = p.GetValue(entry), ["note"] = p.GetValue(note) }, new View())),
            context.Leaf("remove", "Remove an entry", [entry],
                p => new Call(HttpMethod.Delete, "/ips/" + p.GetValue(entry)!.Trim(), null, new View(Done: "removed"))),
        };
    }

    private static Command Swarms(Context context)
    {
        var hash = new Argument<string>("hash") { Description = "The info-hash as announced: 40 hex or 32 base32, a v2 hash (64 hex; its first 20 bytes), or a magnet link naming one" };
        var limit = new Option<int>("--limit") { Description = "How many of the busiest swarms", DefaultValueFactory = _ => 50 };
        var peers = new Option<int>("--peers") { Description = "How many peers to show", DefaultValueFactory = _ => 50 };
        return new Command("swarm", "Swarms: the busiest, one with its peers, drop one")
        {
            context.Leaf("list", "The busiest swarms", [limit],
                p => new Call(HttpMethod.Get, $"/swarms?limit={p.GetValue(limit)}", null, new View("swarms", ["infoHash", "seeders", "leechers", "completed"]))),
            context.Leaf("show", "One swarm and its peers", [hash, peers],
                p => new Call(HttpMethod.Get, $"/swarms/{Segment(p.GetValue(hash))}?peers={p.GetValue(peers)}", null, new View())),
            context.Leaf("drop", "Drop a swarm, its peers and figures (this region's copy)", [hash],
                p => new Call(HttpMethod.Delete, "/swarms/" + Segment(p.GetValue(hash)), null, new View(Done: "dropped"))),
        };
    }

    private static Command Settings(Context context) =>
        context.Leaf("settings", "The settings in effect (secrets shown only as set or not)", [],
            _ => new Call(HttpMethod.Get, "/settings", null, new View()));

    private static string Segment(string? value) => Uri.EscapeDataString(value?.Trim() ?? "");

    /// <summary>The value as a last path segment when it needs no escaping, else in the query: under the Functions host the
    /// manage function is trusted only for a literal path.</summary>
    private static string Target(string path, string name, string value) =>
        value.Length > 0 && Uri.EscapeDataString(value) == value ? $"{path}/{value}" : $"{path}?{name}={Uri.EscapeDataString(value)}";

    /// <summary>One API call a command makes, and how to show its answer.</summary>
    private sealed record Call(HttpMethod Method, string Path, JsonObject? Body, View View);

    /// <summary>The global options and how to turn a parsed command into a call and its output.</summary>
    private sealed record Context(Option<string> Url, Option<string?> Token, Option<string?> FunctionKey, Option<bool> Json,
        Func<string, string?> Environment, HttpMessageHandler? Handler)
    {
        public Command Leaf(string name, string description, Symbol[] symbols, Func<ParseResult, Call> call)
        {
            var command = new Command(name, description);
            foreach (var symbol in symbols)
            {
                switch (symbol)
                {
                    case Argument argument:
                        command.Arguments.Add(argument);
                        break;
                    case Option option:
                        command.Options.Add(option);
                        break;
                }
            }

            command.SetAction((parse, cancellationToken) => RunAsync(parse, call(parse), cancellationToken));
            return command;
        }

        private async Task<int> RunAsync(ParseResult parse, Call call, CancellationToken cancellationToken)
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var baseUrl = new Uri(parse.GetValue(Url)!);
            var http = Handler is null ? new HttpClient() : new HttpClient(Handler, disposeHandler: false);
            http.BaseAddress = baseUrl;
            http.Timeout = TimeSpan.FromSeconds(30);
            using var client = new AdminClient(http, parse.GetValue(Token) ?? Environment(TokenVariable), parse.GetValue(FunctionKey) ?? Environment(FunctionKeyVariable));
            try
            {
                var (status, body) = await client.SendAsync(call.Method, call.Path, call.Body, cancellationToken);
                if (status >= 400)
                {
                    var message = body?["error"]?.GetValue<string>() ?? "";
                    await error.WriteLineAsync($"error: {status} {Reason(status)}{(message.Length > 0 ? ": " + message : "")}");
                    return 1;
                }

                Output.Write(output, body, call.View, parse.GetValue(Json));
                return 0;
            }
            catch (HttpRequestException exception)
            {
                await error.WriteLineAsync($"error: cannot reach {baseUrl}: {exception.Message}");
                return 2;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                await error.WriteLineAsync($"error: {baseUrl} did not answer within {http.Timeout.TotalSeconds:0} s");
                return 2;
            }
        }

        private static string Reason(int status) => status switch
        {
            401 => "unauthorized (check --token / " + TokenVariable + ")",
            403 => "forbidden (the admin API is closed: set Tracker:Admin:Token on the tracker)",
            404 => "not found",
            400 => "bad request",
            _ => "",
        };
    }
}
