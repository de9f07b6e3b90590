using System.Net;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Admin;

/// <summary>Freeleech and double upload through the admin API, seen in the passkey figures announces leave.</summary>
public sealed class WhenSettingFactors
{
    private static async Task<(long Uploaded, long Downloaded)> FiguresAsync(HttpClient client, string key)
    {
        var figures = await client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        return (figures["uploaded"]!.GetValue<long>(), figures["downloaded"]!.GetValue<long>());
    }

    [Fact]
    public async Task AFreeleechDoubleUploadTorrentShowsInThePasskeysFigures()
    {
        await using var tracker = await RunningTracker.StartAsync(AdminApi.Settings(("Tracker:Private:Enabled", "true")));
        var client = tracker.Client;
        var key = await client.CreatePasskeyAsync("alice");
        var hex = Convert.ToHexStringLower(Hash(301));
        var set = await client.OkAsync(HttpMethod.Post, "/admin/factors", new { hash = hex, upload = 200, download = 0, note = "featured" }, HttpStatusCode.Created);
        Assert.Equal(hex, set["set"]![0]!["infoHash"]!.GetValue<string>());
        Assert.True(set["set"]![0]!["active"]!.GetValue<bool>());

        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(301), 1, uploaded: 0, downloaded: 0, left: 1000, extra: "&event=started"));
        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(301), 1, uploaded: 333, downloaded: 1000, left: 0, extra: "&event=stopped"));
        // Another torrent, without factors: credited as transferred.
        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(302), 2, uploaded: 5, downloaded: 7, left: 10, extra: "&event=started"));

        Assert.Equal((666 + 5, 0 + 7), await FiguresAsync(client, key));
        var list = await client.OkAsync(HttpMethod.Get, "/admin/factors");
        Assert.Equal(100, list["defaults"]!["upload"]!.GetValue<int>());
        Assert.Equal("featured", list["factors"]![0]!["note"]!.GetValue<string>());
        Assert.Equal(0, list["factors"]![0]!["effective"]!["download"]!.GetValue<int>());

        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(HttpMethod.Delete, $"/admin/factors/{hex}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"/admin/factors?hash={hex}")).Status);
        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(301), 1, uploaded: 10, downloaded: 10, left: 0, extra: "&event=started"));
        Assert.Equal((666 + 5 + 10, 7 + 10), await FiguresAsync(client, key));
    }

    [Fact]
    public async Task HalfLeechByDefaultIsExactAndATorrentsOwnFactorFillsInOnlyWhatItGives()
    {
        await using var tracker = await RunningTracker.StartAsync(AdminApi.Settings(
            ("Tracker:Private:Enabled", "true"), ("Tracker:Private:DownloadFactorPercent", "50"), ("Tracker:Private:UploadFactorPercent", "100")));
        var client = tracker.Client;
        var key = await client.CreatePasskeyAsync();
        await client.OkAsync(HttpMethod.Post, "/admin/factors", new { hashes = new[] { Convert.ToHexStringLower(Hash(312)) }, upload = 150 }, HttpStatusCode.Created);

        // 3 bytes at 50% is 1.5 and 5 more is 2.5: 4 bytes in all, carried exactly across announces.
        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(311), 1, downloaded: 3, left: 10, extra: "&event=started"));
        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(313), 1, downloaded: 5, left: 10, extra: "&event=started"));
        // Hash 312: upload 150%, download by the default 50%.
        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(312), 1, uploaded: 100, downloaded: 100, left: 10, extra: "&event=started"));

        Assert.Equal((150, 4 + 50), await FiguresAsync(client, key));
    }

    [Theory]
    [InlineData("{\"hash\":\"0123456789abcdef0123456789abcdef01234567\",\"download\":1001}")]
    [InlineData("{\"hash\":\"0123456789abcdef0123456789abcdef01234567\",\"download\":-1}")]
    [InlineData("{\"hash\":\"0123456789abcdef0123456789abcdef01234567\",\"download\":0.5}")]
    [InlineData("{\"hash\":\"0123456789abcdef0123456789abcdef01234567\"}")]
    [InlineData("{\"hash\":\"0123456789abcdef0123456789abcdef01234567\",\"upload\":200,\"from\":\"2026-12-12T00:00Z\",\"until\":\"2026-12-11T00:00Z\"}")]
    [InlineData("{\"hash\":\"not a hash\",\"upload\":200}")]
    [InlineData("{\"upload\":200}")]
    [InlineData("{\"hash\":\"0123456789abcdef0123456789abcdef01234567\",\"upload\":\"lots\"}")]
    [InlineData("[1,2]")]
    public async Task NonsenseIsABadRequestAndChangesNothing(string body)
    {
        await using var tracker = await RunningTracker.StartAsync(AdminApi.Settings());
        var (status, json) = await tracker.Client.SendAsync(HttpMethod.Post, "/admin/factors", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(json!["error"]);
        Assert.Empty((await tracker.Client.OkAsync(HttpMethod.Get, "/admin/factors"))["factors"]!.AsArray());
    }

    [Fact]
    public async Task AWindowIsShownAndAppliesOnlyFromItsStart()
    {
        await using var tracker = await RunningTracker.StartAsync(AdminApi.Settings(("Tracker:Private:Enabled", "true")));
        var client = tracker.Client;
        var key = await client.CreatePasskeyAsync();
        var from = DateTimeOffset.UtcNow.AddDays(1);
        var set = await client.OkAsync(HttpMethod.Post, "/admin/factors",
            new { hash = Convert.ToHexStringLower(Hash(321)), download = 0, from, until = from.AddDays(2) }, HttpStatusCode.Created);
        Assert.False(set["set"]![0]!["active"]!.GetValue<bool>());
        Assert.Equal(100, set["set"]![0]!["effective"]!["download"]!.GetValue<int>());

        await client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(321), 1, downloaded: 40, left: 10, extra: "&event=started"));

        Assert.Equal((0, 40), await FiguresAsync(client, key));
    }
}
