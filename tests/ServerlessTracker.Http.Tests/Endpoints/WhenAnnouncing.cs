using System.Net;
using System.Text;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Endpoints;

public class WhenAnnouncing : IAsyncLifetime
{
    /// <summary>Configuration that selects the store: none (the in-memory store) here; Table Storage in the derived class.</summary>
    protected virtual IDictionary<string, string?> Store => new Dictionary<string, string?>();

    private ITrackerUnderTest _tracker = null!;

    // NumWantIsCappedAtTheDocumentedMaximum sends 212 announces at once from one address: more than a new address's first
    // 100 tokens, within the 400 an address may hold.
    public async Task InitializeAsync() => _tracker = await StartAsync(new Dictionary<string, string?>(Store) { ["Tracker:RateLimit:InitialTokens"] = "400" });

    /// <summary>Starts the tracker under test with <paramref name="settings"/>: the self-hosted server here.</summary>
    protected virtual async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await RunningTracker.StartAsync(settings);

    public async Task DisposeAsync() => await _tracker.DisposeAsync();

    private HttpClient Client => _tracker.Client;

    [Fact]
    public async Task ReturnsCompactPeersByDefault()
    {
        var hash = Hash(1);
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001));
        var answer = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 10));

        Assert.Null(answer.Failure());
        Assert.Equal(["127.0.0.1:7001"], answer.Peers4());
        Assert.Equal(1, answer["complete"]!.Integer);
        Assert.Equal(1, answer["incomplete"]!.Integer);
        Assert.Equal(900, answer["min interval"]!.Integer);
        Assert.InRange(answer["interval"]!.Integer, 1800 - 180, 1800);
        Assert.Equal(new byte[] { 127, 0, 0, 1 }, answer["external ip"]!.Bytes);
    }

    [Fact]
    public async Task UsesTheDictionaryModelWhenCompactIsOff()
    {
        var hash = Hash(2);
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001));
        var answer = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 5, extra: "&compact=0"));
        var peer = Assert.Single(answer["peers"]!.Items);
        Assert.Equal("127.0.0.1", peer["ip"]!.Text);
        Assert.Equal(7001, peer["port"]!.Integer);

        // Peer ids only to a client that asks for them: they are what a stop of another client's peer needs.
        Assert.Null(peer["peer id"]);
        var withIds = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 5, extra: "&compact=0&no_peer_id=0"));
        Assert.Equal(PeerId(1), Assert.Single(withIds["peers"]!.Items)["peer id"]!.Bytes);
        var withoutIds = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 5, extra: "&compact=0&no_peer_id=1"));
        Assert.Null(Assert.Single(withoutIds["peers"]!.Items)["peer id"]);
    }

    [Fact]
    public async Task SeedersAreNotSentSeeders()
    {
        var hash = Hash(3);
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0));
        await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 9));
        var answer = await Client.GetBencodeAsync(AnnounceUrl(hash, 3, port: 7003, left: 0));
        Assert.Equal(["127.0.0.1:7002"], answer.Peers4());
    }

    [Fact]
    public async Task IPv6ClientsAreListedInPeers6()
    {
        var hash = Hash(4);
        using var v6 = new HttpClient { BaseAddress = _tracker.BaseV6 };
        await v6.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001));
        await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002));
        var answer = await v6.GetBencodeAsync(AnnounceUrl(hash, 3, port: 7003, left: 1));

        Assert.Equal(["[::1]:7001"], answer.Peers6());
        Assert.Equal(["127.0.0.1:7002"], answer.Peers4());
        Assert.Equal(IPAddress.IPv6Loopback.GetAddressBytes(), answer["external ip"]!.Bytes);
    }

    [Fact]
    public async Task HashesThatAreNotUtf8RoundTripExactly()
    {
        var first = Enumerable.Repeat((byte)0xFF, 20).ToArray();
        var second = first.ToArray();
        second[19] = 0xFE;
        await Client.GetBencodeAsync(AnnounceUrl(first, 1, left: 0));
        await Client.GetBencodeAsync(AnnounceUrl(second, 2, left: 3));
        await Client.GetBencodeAsync(AnnounceUrl(second, 3, left: 3));

        var files = (await Client.GetBencodeAsync(ScrapeUrl(first, second)))["files"]!;
        Assert.Equal(1, files.Find(first)!["complete"]!.Integer);
        Assert.Equal(0, files.Find(first)!["incomplete"]!.Integer);
        Assert.Equal(2, files.Find(second)!["incomplete"]!.Integer);
    }

    [Fact]
    public async Task HashesWithNulPercentAndHighBytesRoundTripExactly()
    {
        // %00, %ff and the bytes of the query's own syntax (%, +, &, =), sent as escapes: decoded from the raw query,
        // never through a decoder that stops at NUL, turns + into a space or re-encodes invalid UTF-8.
        byte[] hash = [0x00, 0xFF, 0x25, 0x2B, 0x26, 0x3D, 0x00, 0x80, 0xC0, 0x00, 0xFE, 0x20, 0x3F, 0x23, 0x2F, 0x00, 0x01, 0x7F, 0x00, 0xFF];
        byte[] twin = [.. hash[..19], 0xFE];
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, left: 0));
        await Client.GetBencodeAsync(AnnounceUrl(twin, 2, left: 7));

        var files = (await Client.GetBencodeAsync(ScrapeUrl(hash, twin)))["files"]!;
        Assert.Equal(2, files.Entries.Count);
        Assert.Equal(1, files.Find(hash)!["complete"]!.Integer);
        Assert.Equal(1, files.Find(twin)!["incomplete"]!.Integer);
    }

    [Fact]
    public async Task StoppedRemovesThePeerAndCompletedCountsOnce()
    {
        var hash = Hash(5);
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 5, extra: "&event=started"));
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=completed"));
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=completed"));
        var afterComplete = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 5));
        Assert.Equal(1, afterComplete["downloaded"]!.Integer);
        Assert.Single(afterComplete.Peers4());

        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=stopped"));
        var afterStop = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 5));
        Assert.Empty(afterStop.Peers4());
        Assert.Equal(0, afterStop["complete"]!.Integer);
    }

    [Fact]
    public async Task NumWantIsCappedAtTheDocumentedMaximum()
    {
        var hash = Hash(6);
        for (var i = 0; i < 210; i++)
        {
            await Client.GetBencodeAsync(AnnounceUrl(hash, i, port: 10000 + i));
        }

        Assert.Equal(50, (await Client.GetBencodeAsync(AnnounceUrl(hash, 999, left: 1))).Peers4().Count);
        Assert.Equal(200, (await Client.GetBencodeAsync(AnnounceUrl(hash, 999, left: 1, extra: "&numwant=5000"))).Peers4().Count);
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { "/announce", "missing info_hash" },
        { $"/announce?info_hash={Encode(Hash(1)[..19])}&peer_id={Encode(PeerId(1))}&port=1&left=0", "invalid info_hash" },
        { $"/announce?info_hash={Encode([.. Hash(1), 0])}&peer_id={Encode(PeerId(1))}&port=1&left=0", "invalid info_hash" },
        { $"/announce?info_hash={Encode(Hash(1))}&port=1&left=0", "missing peer_id" },
        { $"/announce?info_hash={Encode(Hash(1))}&peer_id=abc&port=1&left=0", "invalid peer_id" },
        { $"/announce?info_hash={Encode(Hash(1))}&peer_id={Encode(PeerId(1))}&port=70000&left=0", "invalid port" },
        { $"/announce?info_hash={Encode(Hash(1))}&peer_id={Encode(PeerId(1))}&left=0", "missing port" },
        { $"/announce?info_hash={Encode(Hash(1))}&peer_id={Encode(PeerId(1))}&port=1&left=0&numwant=x", "invalid numwant" },
        { $"/announce?info_hash={Encode(Hash(1))}&peer_id={Encode(PeerId(1))}&port=1&left=0&event=x", "invalid event" },
        { $"/announce?info_hash=%zz{Encode(Hash(1))[3..]}&peer_id={Encode(PeerId(1))}&port=1&left=0", "percent-encoding" },
        { $"/announce?info_hash={Encode(Hash(1))}&peer_id={Encode(PeerId(1))}&port=1&left=0&pad={new string('a', 9000)}", "too long" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task BadInputGetsAFailureReasonAndStoresNothing(string url, string reason)
    {
        var (status, body) = await RawHttp.SendAsync(_tracker.BaseV4, "GET", url);
        if (_tracker.ThroughFunctionsHost && reason == "too long")
        {
            // The host's own Kestrel keeps its default 8 KiB request line: a longer one is refused before any worker code.
            Assert.Equal(414, status);
            return;
        }

        Assert.Equal(200, status);
        if (_tracker.ThroughFunctionsHost && reason == "percent-encoding")
        {
            // The host's proxy rebuilds the URL with System.Uri, which escapes a stray '%' as %25: the hash arrives too long.
            reason = "invalid info_hash";
        }

        Assert.Contains(reason, ServerlessTracker.Protocol.Bencode.BencodeDecoder.Decode(body).Failure());
        var files = (await Client.GetBencodeAsync(ScrapeUrl()))["files"]!;
        Assert.Empty(files.Entries);
    }

    [Theory]
    [InlineData("GET", "/announce?info_hash=%00%01")]
    [InlineData("GET", "/announce?%%%%%%%%")]
    [InlineData("GET", "/announce?info_hash&peer_id&port&left")]
    [InlineData("GET", "/announce?\u00ff")]
    [InlineData("DELETE", "/announce")]
    [InlineData("GET", "/scrape?info_hash=%")]
    public async Task MalformedRequestsNeverGetA500(string method, string target)
    {
        var (status, body) = await RawHttp.SendAsync(_tracker.BaseV4, method, target);
        Assert.InRange(status, 200, 499);
        if (status == 200)
        {
            Assert.NotNull(ServerlessTracker.Protocol.Bencode.BencodeDecoder.Decode(body).Failure());
        }
    }

    [Fact]
    public async Task OtherMethodsGetAFailureReason()
    {
        using var response = await Client.PostAsync(AnnounceUrl(Hash(7), 1), new StringContent("x"));
        if (_tracker.ThroughFunctionsHost)
        {
            // The function allows GET only, and the host answers any other method on its route with 404, before the worker.
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            return;
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("method not allowed", Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task AReannounceInsideMinIntervalIsAnsweredFromTheSwarmAndChangesNothing()
    {
        var hash = Hash(9);
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 5, extra: "&event=started"));
        // A new port and a second 'started' inside min interval: answered, never written.
        var again = await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7009, left: 0, extra: "&event=started"));
        Assert.Null(again.Failure());
        Assert.Equal(900, again["min interval"]!.Integer);

        var seen = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 5));
        Assert.Equal(["127.0.0.1:7001"], seen.Peers4());
        Assert.Equal((0L, 2L), (seen["complete"]!.Integer, seen["incomplete"]!.Integer));

        // The first 'completed' and a 'stopped' are always taken.
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=completed"));
        var completed = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 5));
        Assert.Equal((1L, 1L, 1L), (completed["complete"]!.Integer, completed["incomplete"]!.Integer, completed["downloaded"]!.Integer));
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, left: 0, extra: "&event=stopped"));
        Assert.Empty((await Client.GetBencodeAsync(AnnounceUrl(hash, 2, port: 7002, left: 5))).Peers4());
    }

    [Fact]
    public async Task AFullSwarmRefusesNewPeersWithAFailureReasonAnIntervalAndRetryIn()
    {
        await using var tracker = await StartAsync(new Dictionary<string, string?>(Store) { ["Tracker:Swarm:MaxPeersPerSwarm"] = "2" });
        var full = Hash(30);
        await tracker.Client.GetBencodeAsync(AnnounceUrl(full, 1, port: 7001));
        await tracker.Client.GetBencodeAsync(AnnounceUrl(full, 2, port: 7002));
        var refused = await tracker.Client.GetBencodeAsync(AnnounceUrl(full, 3, port: 7003));
        Assert.Contains("swarm is full", refused.Failure());
        Assert.Equal(900, refused["interval"]!.Integer);
        Assert.Equal(15, refused["retry in"]!.Integer);

        // Its own peers are still served, and the swarm is scraped as it is.
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(full, 1, port: 7001))).Failure());
        Assert.Equal(2, (await tracker.Client.GetBencodeAsync(ScrapeUrl(full)))["files"]!.Find(full)!["complete"]!.Integer);
    }

    [Fact]
    public async Task AnAddressCreatesItsShareOfSwarmsThenIsToldWhenItMayAgain()
    {
        await using var tracker = await StartAsync(new Dictionary<string, string?>(Store)
        {
            ["Tracker:SwarmCreation:PerAddress"] = "2",
            ["Tracker:SwarmCreation:WindowSeconds"] = "3600",
        });
        // Once the instance knows which swarms exist (a scrape waits for that; on Table Storage it reads the registry).
        await tracker.Client.GetBencodeAsync(ScrapeUrl(Hash(39)));
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(31), 1, port: 7001))).Failure());
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(32), 1, port: 7001))).Failure());
        var tooMany = await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(33), 1, port: 7001));
        Assert.Contains("too many new torrents", tooMany.Failure());
        Assert.Equal(1800, tooMany["interval"]!.Integer);
        Assert.Equal(30, tooMany["retry in"]!.Integer);

        // Swarms that exist are still served and scraped; the refused one was never created.
        Assert.Null((await tracker.Client.GetBencodeAsync(AnnounceUrl(Hash(31), 2, port: 7002))).Failure());
        var files = (await tracker.Client.GetBencodeAsync(ScrapeUrl(Hash(31), Hash(33))))["files"]!;
        Assert.Equal(2, files.Find(Hash(31))!["complete"]!.Integer);
        Assert.Equal(0, files.Find(Hash(33))!["complete"]!.Integer);
    }

    [Fact]
    public async Task ClaimedAddressesAreIgnoredByDefault()
    {
        var hash = Hash(8);
        await Client.GetBencodeAsync(AnnounceUrl(hash, 1, port: 7001, extra: "&ip=192.0.2.99"));
        var answer = await Client.GetBencodeAsync(AnnounceUrl(hash, 2, left: 1));
        Assert.Equal(["127.0.0.1:7001"], answer.Peers4());
    }
}
