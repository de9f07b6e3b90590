using System.Text;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Admin.Tests;

/// <summary>st-admin against the real tracker on Kestrel: every command, both output forms, and its exit codes.</summary>
public sealed class WhenManagingATrackerFromTheCommandLine : IAsyncLifetime
{
    private const string Token = "cli-test-token-1f0e2d3c4b5a69788796a5b4c3d2e1f0";

    private RunningTracker _tracker = null!;
    private Cli _cli = null!;

    public async Task InitializeAsync()
    {
        _tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Private:Enabled"] = "true",
            ["Tracker:Admin:Token"] = Token,

            // The figures are checked right after a second announce: let it be stored inside min interval.
            ["Tracker:Swarm:EnforceMinInterval"] = "false",
        }, ipv6: false);
        _cli = new Cli(_tracker.BaseV4, Token);
    }

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private static string Announce(string passkey, int torrent, int peer, long uploaded, long downloaded, long left, string @event = "") =>
        $"/announce/{passkey}?info_hash={Hex(torrent)}&peer_id=-ST0001-{peer:D12}&port={6881 + peer}&uploaded={uploaded}&downloaded={downloaded}&left={left}" +
        (@event.Length > 0 ? "&event=" + @event : "");

    private static string Hex(int torrent) => string.Concat(Enumerable.Repeat($"%{torrent:X2}", 20));

    [Fact]
    public async Task APasskeyIsCreatedUsedShownListedAndRevoked()
    {
        var created = await _cli.RunAsync("passkey", "create", "--name", "alice", "--json");
        Assert.True(created.ExitCode == 0, created.Error);
        var passkey = created.Json["passkey"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{32}$", passkey);
        Assert.Equal($"{_tracker.BaseV4.ToString().TrimEnd('/')}/announce/{passkey}", created.Json["announceUrl"]!.GetValue<string>());

        await _tracker.Client.GetStringAsync(Announce(passkey, 1, 1, 0, 0, 100, "started"));
        await _tracker.Client.GetStringAsync(Announce(passkey, 1, 1, 4096, 1024, 50));

        var shown = await _cli.RunAsync("passkey", "show", passkey);
        Assert.Equal(0, shown.ExitCode);
        Assert.Matches(@"uploaded\s+4096", shown.Output);
        Assert.Matches(@"downloaded\s+1024", shown.Output);

        var listed = await _cli.RunAsync("passkey", "list");
        Assert.Equal(0, listed.ExitCode);
        var lines = listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("PASSKEY", lines[0]);
        Assert.Contains(lines, l => l.StartsWith(passkey) && l.Contains("alice") && l.Contains("4096"));

        Assert.Equal(0, (await _cli.RunAsync("passkey", "revoke", passkey)).ExitCode);
        Assert.Contains("passkey revoked", await _tracker.Client.GetStringAsync(Announce(passkey, 1, 1, 4096, 1024, 50)));
        Assert.Matches(@"revoked\s+yes", (await _cli.RunAsync("passkey", "show", passkey)).Output);
    }

    [Fact]
    public async Task ListsSwarmsAndSettingsAreManaged()
    {
        var passkey = (await _cli.RunAsync("passkey", "create", "--json")).Json["passkey"]!.GetValue<string>();
        await _tracker.Client.GetStringAsync(Announce(passkey, 7, 1, 0, 0, 0));
        var hash = string.Concat(Enumerable.Repeat("07", 20));

        var swarms = await _cli.RunAsync("swarm", "list");
        Assert.Contains(hash, swarms.Output);
        Assert.Contains("127.0.0.1", (await _cli.RunAsync("swarm", "show", hash)).Output);
        Assert.Contains("127.0.0.1", (await _cli.RunAsync("swarm", "show", "magnet:?xt=urn:btih:A4DQOBYHA4DQOBYHA4DQOBYHA4DQOBYH")).Output);

        var denied = await _cli.RunAsync("infohash", "deny", hash, "--note", "dmca");
        Assert.Equal(0, denied.ExitCode);
        Assert.Contains("dmca", denied.Output);
        Assert.Contains("torrent not allowed", await _tracker.Client.GetStringAsync(Announce(passkey, 7, 2, 0, 0, 5)));
        Assert.Equal("removed", (await _cli.RunAsync("infohash", "remove", "deny", hash)).Output.Trim());

        var hybrid = await _cli.RunAsync("infohash", "allow", new string('a', 40), new string('b', 64), "--json");
        Assert.Equal(0, hybrid.ExitCode);
        Assert.Equal(new string('b', 40), hybrid.Json["added"]![1]!["infoHash"]!.GetValue<string>());

        // As pasted: a hybrid magnet link (two rules) and a base32 hash, and removal by the same link.
        var magnet = $"magnet:?xt=urn:btih:{new string('c', 40)}&xt=urn:btmh:1220{new string('d', 64)}&dn=Hybrid&tr=udp://t.example:6969/announce";
        var pasted = await _cli.RunAsync("infohash", "deny", magnet, "AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH", "--json");
        Assert.Equal(0, pasted.ExitCode);
        Assert.Equal([new string('c', 40), new string('d', 64), "0123456789abcdef0123456789abcdef01234567"],
            pasted.Json["added"]!.AsArray().Select(a => a!["given"]!.GetValue<string>()));
        Assert.Equal("removed", (await _cli.RunAsync("infohash", "remove", "deny", magnet)).Output.Trim());
        Assert.Single((await _cli.RunAsync("infohash", "list", "--json")).Json["deny"]!.AsArray());

        Assert.Equal(0, (await _cli.RunAsync("ip", "add", "198.51.100.0/24", "--note", "office")).ExitCode);
        Assert.Contains("198.51.100.0/24", (await _cli.RunAsync("ip", "list")).Output);
        Assert.Equal("removed", (await _cli.RunAsync("ip", "remove", "198.51.100.0/24")).Output.Trim());

        Assert.Equal("dropped", (await _cli.RunAsync("swarm", "drop", hash)).Output.Trim());
        var settings = await _cli.RunAsync("settings", "--json");
        Assert.True(settings.Json["private"]!["enabled"]!.GetValue<bool>());
        Assert.DoesNotContain(Token, settings.Output);
    }

    [Fact]
    public async Task ClientRulesAreAddedListedAndRemoved()
    {
        var passkey = (await _cli.RunAsync("passkey", "create", "--json")).Json["passkey"]!.GetValue<string>();
        var denied = await _cli.RunAsync("client", "deny", "--note", "leaks", "--", "-ST0001-", "A/B%2F");
        Assert.True(denied.ExitCode == 0, denied.Error);
        Assert.Contains("leaks", denied.Output);
        Assert.Contains("client not allowed: -ST0001-", await _tracker.Client.GetStringAsync(Announce(passkey, 9, 1, 0, 0, 5)));

        var lists = (await _cli.RunAsync("client", "list", "--json")).Json;
        Assert.Equal(["-ST0001-", "A/B%2F"], lists["deny"]!.AsArray().Select(r => r!["prefix"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        // Removed by path (a plain prefix) and by query (one that a path segment would have to escape).
        Assert.Equal("removed", (await _cli.RunAsync("client", "remove", "deny", "--", "-ST0001-")).Output.Trim());
        Assert.Equal("removed", (await _cli.RunAsync("client", "remove", "deny", "A/B%2F")).Output.Trim());
        Assert.Empty((await _cli.RunAsync("client", "list", "--json")).Json["deny"]!.AsArray());
        Assert.DoesNotContain("failure reason", await _tracker.Client.GetStringAsync(Announce(passkey, 9, 1, 0, 0, 5)));

        var allowed = await _cli.RunAsync("client", "allow", "--", "-qB", "-TR");
        Assert.Equal(0, allowed.ExitCode);
        Assert.Contains("client not allowed", await _tracker.Client.GetStringAsync(Announce(passkey, 9, 1, 0, 0, 5)));
        Assert.Equal(1, (await _cli.RunAsync("client", "deny", "--", "has space")).ExitCode);
    }

    [Fact]
    public async Task FreeleechAndDoubleUploadAreSetListedAndRemoved()
    {
        var passkey = (await _cli.RunAsync("passkey", "create", "--json")).Json["passkey"]!.GetValue<string>();
        var hash = string.Concat(Enumerable.Repeat("0b", 20));
        var set = await _cli.RunAsync("factor", "set", hash, "--freeleech", "--double-upload", "--note", "event");
        Assert.True(set.ExitCode == 0, set.Error);
        Assert.Contains(hash, set.Output);

        await _tracker.Client.GetStringAsync(Announce(passkey, 11, 1, 0, 0, 100, "started"));
        await _tracker.Client.GetStringAsync(Announce(passkey, 11, 1, 300, 900, 0));
        Assert.Matches(@"uploaded\s+600", (await _cli.RunAsync("passkey", "show", passkey)).Output);
        Assert.Matches(@"downloaded\s+0", (await _cli.RunAsync("passkey", "show", passkey)).Output);

        var listed = (await _cli.RunAsync("factor", "list", "--json")).Json;
        var factor = Assert.Single(listed["factors"]!.AsArray())!;
        Assert.Equal((200, 0), (factor["upload"]!.GetValue<int>(), factor["download"]!.GetValue<int>()));

        // An explicit percent wins over a flag; a window is taken as ISO 8601.
        var half = await _cli.RunAsync("factor", "set", hash, "--download", "50", "--freeleech", "--until", "2099-01-01T00:00Z", "--json");
        Assert.Equal(50, half.Json["set"]![0]!["download"]!.GetValue<int>());
        Assert.True(half.Json["set"]![0]!["upload"] is null);

        Assert.Equal("removed", (await _cli.RunAsync("factor", "remove", hash)).Output.Trim());
        Assert.Equal(1, (await _cli.RunAsync("factor", "remove", hash)).ExitCode);
        Assert.Equal(1, (await _cli.RunAsync("factor", "set", hash, "--upload", "5000")).ExitCode);
        Assert.Equal(1, (await _cli.RunAsync("factor", "set", hash)).ExitCode);
    }

    [Fact]
    public async Task FailuresEndWithANonZeroExitCodeAndAReason()
    {
        var wrongToken = await new Cli(_tracker.BaseV4, "not-the-token").RunAsync("passkey", "list");
        Assert.Equal(1, wrongToken.ExitCode);
        Assert.Contains("401", wrongToken.Error);
        Assert.Empty(wrongToken.Output);

        var unknown = await _cli.RunAsync("passkey", "show", "0123456789abcdef0123456789abcdef");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("404", unknown.Error);

        var badEntry = await _cli.RunAsync("ip", "add", "10.0.0.0/99");
        Assert.Equal(1, badEntry.ExitCode);
        Assert.Contains("neither an address nor a CIDR range", badEntry.Error);

        var unreachable = await new Cli(new Uri("http://127.0.0.1:1"), Token).RunAsync("passkey", "list");
        Assert.Equal(2, unreachable.ExitCode);
        Assert.Contains("cannot reach", unreachable.Error);

        Assert.Equal(2, (await _cli.RunAsync("passkey", "frobnicate")).ExitCode);
        Assert.Equal(2, (await _cli.RunAsync("infohash", "remove", "maybe", new string('a', 40))).ExitCode);
    }

    [Fact]
    public async Task HelpListsTheCommandsAndNeverPrintsTheToken()
    {
        var help = await new Cli(_tracker.BaseV4, null, new Dictionary<string, string> { [AdminCli.TokenVariable] = Token }).RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.DoesNotContain(Token, help.Output);
        foreach (var command in new[] { "passkey", "infohash", "client", "factor", "ip", "swarm", "settings", "check", "--url", "--token", "--json" })
        {
            Assert.Contains(command, help.Output);
        }
    }

    [Fact]
    public async Task TheExecutableReadsItsUrlAndTokenFromTheEnvironment()
    {
        var environment = new Dictionary<string, string>
        {
            [AdminCli.UrlVariable] = _tracker.BaseV4.ToString(),
            [AdminCli.TokenVariable] = Token,
        };
        var created = await Cli.RunExecutableAsync(environment, "passkey", "create", "--name", "from-env");
        Assert.True(created.ExitCode == 0, created.Error);
        Assert.Contains("from-env", created.Output);

        environment[AdminCli.TokenVariable] = "wrong";
        var refused = await Cli.RunExecutableAsync(environment, "passkey", "list");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("401", refused.Error);
    }
}
