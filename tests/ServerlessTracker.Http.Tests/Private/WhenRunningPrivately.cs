using System.Net;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Private;

/// <summary>Private mode end to end over HTTP: passkeys made with the admin API, announces and scrapes with and without them.</summary>
public class WhenRunningPrivately : IAsyncLifetime
{
    /// <summary>Configuration added to every tracker these tests start (a derived class runs them through Kestrel only).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    private RunningTracker _tracker = null!;

    public async Task InitializeAsync() =>
        _tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>(AdminApi.Settings(("Tracker:Private:Enabled", "true")).Concat(Settings)));

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private HttpClient Client => _tracker.Client;

    [Fact]
    public async Task AnAnnounceWithoutAPasskeyIsRefusedAndStoresNothing()
    {
        var answer = await Client.GetBencodeAsync(AdminApi.AnnounceUrl(null, Hash(101), 1));
        Assert.Contains("private tracker", answer.Failure());
        Assert.Equal(900, answer["interval"]!.Integer);
        Assert.Empty((await _tracker.Service<Engine.Stores.ISwarmStore>().ListSwarmsAsync(default)));
    }

    [Fact]
    public async Task PeerIdsAreNeverHandedOut()
    {
        var alice = await Client.CreatePasskeyAsync("alice");
        var bob = await Client.CreatePasskeyAsync("bob");
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(alice, Hash(109), 1, port: 7001, extra: "&event=started"));
        var answer = await Client.GetBencodeAsync(AdminApi.AnnounceUrl(bob, Hash(109), 2, left: 5, extra: "&event=started&compact=0&no_peer_id=0"));
        Assert.Null(answer.Failure());
        Assert.Null(Assert.Single(answer["peers"]!.Items)["peer id"]);
    }

    [Fact]
    public async Task AnUnknownPasskeyIsRefused()
    {
        var answer = await Client.GetBencodeAsync(AdminApi.AnnounceUrl("0123456789abcdef0123456789abcdef", Hash(102), 1));
        Assert.Equal("unknown passkey", answer.Failure());
        Assert.Equal("unknown passkey", (await Client.GetBencodeAsync(AdminApi.AnnounceUrl(new string('a', 500), Hash(102), 1))).Failure());
        Assert.Equal("unknown passkey", (await Client.GetBencodeAsync(AdminApi.AnnounceUrl("%C3%A9t%C3%A9", Hash(102), 1))).Failure());
    }

    [Fact]
    public async Task AGoodPasskeyIsServedAndARevokedOneIsRefused()
    {
        var alice = await Client.CreatePasskeyAsync("alice");
        var bob = await Client.CreatePasskeyAsync("bob");
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(alice, Hash(103), 1, port: 7001));
        var answer = await Client.GetBencodeAsync(AdminApi.AnnounceUrl(bob, Hash(103), 2, left: 10, port: 7002));
        Assert.Null(answer.Failure());
        Assert.Equal(["127.0.0.1:7001"], answer.Peers4());

        await Client.OkAsync(HttpMethod.Delete, $"/admin/passkeys/{bob}");
        Assert.Equal("passkey revoked", (await Client.GetBencodeAsync(AdminApi.AnnounceUrl(bob, Hash(103), 2, left: 10, port: 7002))).Failure());
        Assert.Null((await Client.GetBencodeAsync(AdminApi.AnnounceUrl(alice, Hash(103), 1, port: 7001))).Failure());
    }

    [Fact]
    public async Task FiguresAddUpOverASessionsAnnouncesWithoutDoubleCounting()
    {
        var key = await Client.CreatePasskeyAsync("carol");
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(104), 1, uploaded: 0, downloaded: 0, left: 1000, extra: "&event=started"));
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(104), 1, uploaded: 1000, downloaded: 400, left: 600));
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(104), 1, uploaded: 2500, downloaded: 1000, left: 0, extra: "&event=completed"));
        // The passkey may also sit in the query, as some clients are configured.
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(null, Hash(105), 2, uploaded: 7, downloaded: 3, left: 5, extra: "&event=started&passkey=" + key));

        var figures = await Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        Assert.Equal(2507, figures["uploaded"]!.GetValue<long>());
        Assert.Equal(1003, figures["downloaded"]!.GetValue<long>());
        Assert.Equal("carol", figures["name"]!.GetValue<string>());
        Assert.EndsWith($"/announce/{key}", figures["announceUrl"]!.GetValue<string>());

        var list = await Client.OkAsync(HttpMethod.Get, "/admin/passkeys");
        Assert.Contains(list["passkeys"]!.AsArray(), p => p!["passkey"]!.GetValue<string>() == key && p["uploaded"]!.GetValue<long>() == 2507);
    }

    [Fact]
    public async Task AReannounceInsideMinIntervalIsCountedAtTheNextStoredAnnounce()
    {
        // Inside min interval a re-announce is answered from the swarm and written nowhere, a passkey's too; the counters
        // it reported are cumulative, so the next stored announce (here the stop) counts them.
        var key = await Client.CreatePasskeyAsync();
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(107), 1, uploaded: 0, downloaded: 0, left: 1000, extra: "&event=started"));
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(107), 1, uploaded: 300, downloaded: 700, left: 300));
        var figures = await Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        Assert.Equal((0L, 0L), (figures["uploaded"]!.GetValue<long>(), figures["downloaded"]!.GetValue<long>()));

        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(107), 1, uploaded: 300, downloaded: 700, left: 300, extra: "&event=stopped"));
        figures = await Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        Assert.Equal((300L, 700L), (figures["uploaded"]!.GetValue<long>(), figures["downloaded"]!.GetValue<long>()));
    }

    [Fact]
    public async Task APasskeyHasAtMostThreePeersInATorrent()
    {
        var key = await Client.CreatePasskeyAsync("dave");
        var other = await Client.CreatePasskeyAsync("erin");
        for (var peer = 1; peer <= 3; peer++)
        {
            Assert.Null((await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(110), peer, port: 7000 + peer, extra: "&event=started"))).Failure());
        }

        var fourth = await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(110), 4, port: 7004, extra: "&event=started"));
        Assert.Contains("already has 3 peers in this torrent", fourth.Failure());
        Assert.Equal(900, fourth["interval"]!.Integer);
        Assert.Equal(15, fourth["retry in"]!.Integer);

        // Another torrent, another passkey in this torrent: served. Once one of the three stops, the fourth may join.
        Assert.Null((await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(111), 4, port: 7004, extra: "&event=started"))).Failure());
        Assert.Null((await Client.GetBencodeAsync(AdminApi.AnnounceUrl(other, Hash(110), 5, port: 7005, extra: "&event=started"))).Failure());
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(110), 1, port: 7001, extra: "&event=stopped"));
        Assert.Null((await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(110), 4, port: 7004, extra: "&event=started"))).Failure());
    }

    [Fact]
    public async Task ARefusedAnnounceAddsNothingToTheFigures()
    {
        var key = await Client.CreatePasskeyAsync();
        await Client.OkAsync(HttpMethod.Post, "/admin/infohashes/deny", new { hash = Convert.ToHexStringLower(Hash(106)) }, HttpStatusCode.Created);
        var answer = await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(106), 1, uploaded: 5000, downloaded: 5000));
        Assert.Equal("torrent not allowed on this tracker", answer.Failure());
        var figures = await Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        Assert.Equal(0, figures["uploaded"]!.GetValue<long>());
    }

    [Fact]
    public async Task ScrapesNeedAPasskeyToo()
    {
        var key = await Client.CreatePasskeyAsync();
        await Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(107), 1));
        Assert.Contains("private tracker", (await Client.GetBencodeAsync(ScrapeUrl(Hash(107)))).Failure());
        Assert.Equal("unknown passkey", (await Client.GetBencodeAsync(ScrapeUrl(Hash(107)).Replace("/scrape", "/scrape/nope"))).Failure());

        var files = (await Client.GetBencodeAsync(ScrapeUrl(Hash(107)).Replace("/scrape", "/scrape/" + key)))["files"]!;
        Assert.Equal(1, files.Find(Hash(107))!["complete"]!.Integer);
    }

    [Fact]
    public async Task LeechControlRefusesWithTheUsersFigures()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>(AdminApi.Settings(
            ("Tracker:Private:Enabled", "true"), ("Tracker:LeechControl:Enabled", "true"),
            ("Tracker:LeechControl:MinRatio", "0.5"), ("Tracker:LeechControl:GraceBytes", "1073741824")).Concat(Settings)));
        var key = await tracker.Client.CreatePasskeyAsync();
        const long GiB = 1024L * 1024 * 1024;
        await tracker.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(108), 1, uploaded: GiB / 2, downloaded: 2 * GiB, left: 10, extra: "&event=started"));

        var refused = await tracker.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(109), 2, left: 10));
        Assert.Equal("ratio 0.25 is below the minimum 0.50 (uploaded 0.50 GiB, downloaded 2.00 GiB): seed to raise it", refused.Failure());
        Assert.Null((await tracker.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(109), 2, left: 0))).Failure());
    }
}
