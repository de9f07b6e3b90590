using System.Net;
using ServerlessTracker.Http.Tests.Support;
using static ServerlessTracker.Http.Tests.Support.Announces;

namespace ServerlessTracker.Http.Tests.Admin;

/// <summary>The admin API's swarm calls with the app on Table Storage (real Azurite), two instances over the same tables.</summary>
public sealed class WhenManagingSwarmsOnTables(AzuriteTables azurite) : IClassFixture<AzuriteTables>
{
    [Fact]
    public async Task SwarmsAreInspectedAndDroppedAndEveryInstanceForgetsThem()
    {
        var settings = AdminApi.Settings(("Tracker:Tables:CacheStalenessMilliseconds", "300"));
        foreach (var (key, value) in azurite.NewStore())
        {
            settings[key] = value;
        }

        await using var a = await RunningTracker.StartAsync(settings, ipv6: false);
        await using var b = await RunningTracker.StartAsync(settings, ipv6: false);
        await b.Client.GetBencodeAsync(AnnounceUrl(Hash(231), 1, port: 7001, left: 0));
        await b.Client.GetBencodeAsync(AnnounceUrl(Hash(231), 2, port: 7002, left: 9));
        var hex = Convert.ToHexStringLower(Hash(231));

        var swarm = await a.Client.OkAsync(HttpMethod.Get, $"/admin/swarms/{hex}?peers=10");
        Assert.Equal((1, 1), (swarm["seeders"]!.GetValue<long>(), swarm["leechers"]!.GetValue<long>()));
        Assert.Equal(["127.0.0.1:7001", "127.0.0.1:7002"], swarm["peers"]!.AsArray().Select(p => $"{p!["address"]}:{p["port"]}").Order());
        Assert.Single((await a.Client.OkAsync(HttpMethod.Get, $"/admin/swarms/{hex}?peers=1"))["peers"]!.AsArray());

        Assert.Equal(HttpStatusCode.NoContent, (await a.Client.SendAsync(HttpMethod.Delete, $"/admin/swarms/{hex}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await a.Client.SendAsync(HttpMethod.Get, $"/admin/swarms/{hex}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await b.Client.SendAsync(HttpMethod.Delete, $"/admin/swarms/{hex}")).Status);
        Assert.Equal(0, (await a.Client.OkAsync(HttpMethod.Get, "/admin/swarms"))["count"]!.GetValue<int>());

        // b cached the swarm; past its staleness bound it no longer hands out the dropped peers.
        Assert.True(await TwoRegions.EventuallyAsync(async () =>
            (await b.Client.GetBencodeAsync(AnnounceUrl(Hash(231), 3, port: 7003, left: 9))).Peers4().Count == 0, TimeSpan.FromSeconds(3)),
            "the other instance still served the dropped swarm's peers");
    }
}
