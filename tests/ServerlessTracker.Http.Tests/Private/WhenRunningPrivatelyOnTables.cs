using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Private;

/// <summary>Private mode on Table Storage with two app instances over the same tables, as two function instances run.</summary>
public sealed class WhenRunningPrivatelyOnTables(AzuriteTables azurite) : IClassFixture<AzuriteTables>
{
    [Fact]
    public async Task APasskeyMadeOnOneInstanceIsServedByTheOtherAndFiguresSumAcrossThem()
    {
        var settings = azurite.NewStore();
        var suffix = Guid.NewGuid().ToString("N")[..12];
        settings["Tracker:Tables:PasskeysTable"] = "passkeys" + suffix;
        settings["Tracker:Tables:AccessListsTable"] = "lists" + suffix;
        settings["Tracker:Private:Enabled"] = "true";
        settings["Tracker:Admin:Token"] = AdminApi.Token;
        await using var a = await RunningTracker.StartAsync(settings, ipv6: false);
        await using var b = await RunningTracker.StartAsync(settings, ipv6: false);

        var key = await a.Client.CreatePasskeyAsync("dave");
        Assert.Equal("unknown passkey", (await b.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(501), 1))).Failure());
        await b.Service<AnnouncePolicy>().MaintainAsync(default);

        await a.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(501), 1, uploaded: 0, downloaded: 0, left: 100, extra: "&event=started"));
        // The session ends (a re-announce inside min interval would be counted only at the next stored one).
        await a.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(501), 1, uploaded: 4000, downloaded: 600, left: 40, extra: "&event=stopped"));
        Assert.Null((await b.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(502), 2, uploaded: 70, downloaded: 30, left: 5, extra: "&event=started"))).Failure());

        // Each instance writes its own figures; after a round on both, either one reports the sum.
        await a.Service<AnnouncePolicy>().MaintainAsync(default);
        await b.Service<AnnouncePolicy>().MaintainAsync(default);
        await a.Service<AnnouncePolicy>().MaintainAsync(default);
        foreach (var tracker in new[] { a, b })
        {
            var figures = await tracker.Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
            Assert.Equal(4070, figures["uploaded"]!.GetValue<long>());
            Assert.Equal(630, figures["downloaded"]!.GetValue<long>());
        }

        await b.Client.OkAsync(HttpMethod.Delete, $"/admin/passkeys/{key}");
        await a.Service<AnnouncePolicy>().MaintainAsync(default);
        Assert.Equal("passkey revoked", (await a.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(501), 1, left: 40))).Failure());
    }

    [Fact]
    public async Task FiguresSurviveARestart()
    {
        var settings = azurite.NewStore();
        settings["Tracker:Tables:PasskeysTable"] = "passkeys" + Guid.NewGuid().ToString("N")[..12];
        settings["Tracker:Admin:Token"] = AdminApi.Token;
        string key;
        await using (var first = await RunningTracker.StartAsync(settings, ipv6: false))
        {
            key = await first.Client.CreatePasskeyAsync("erin");
            await first.Client.GetBencodeAsync(AdminApi.AnnounceUrl(key, Hash(503), 1, uploaded: 123, downloaded: 456, left: 1, extra: "&event=started"));
        }

        // Stopping flushed the figures; a new process (a new instance id) reads them back.
        await using var second = await RunningTracker.StartAsync(settings, ipv6: false);
        var figures = await second.Client.OkAsync(HttpMethod.Get, $"/admin/passkeys/{key}");
        Assert.Equal(123, figures["uploaded"]!.GetValue<long>());
        Assert.Equal(456, figures["downloaded"]!.GetValue<long>());
        Assert.Equal("TablePasskeyStore", (await second.Client.OkAsync(HttpMethod.Get, "/admin/settings"))["passkeyStore"]!.GetValue<string>());
    }
}
