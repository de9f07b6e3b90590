using ServerlessTracker.Http.Tests.Support;
using ServerlessTracker.UdpRelay.Tests;

namespace ServerlessTracker.Admin.Tests.Checks;

/// <summary><c>st-admin check</c> against the real tracker on Kestrel and the real relay: a sound deployment passes, a
/// tracker that believes forged headers fails, and the exit code says which.</summary>
public sealed class WhenCheckingADeployment
{
    [Fact]
    public async Task ASoundDeploymentPassesEveryCheckOverHttpAndUdp()
    {
        await using var tracker = await RunningTracker.StartAsync(ipv6: false);
        await using var relay = await RelayHost.StartAsync();
        var announce = new Uri(tracker.BaseV4, "/announce");

        var run = await Check(announce.ToString(), $"udp://127.0.0.1:{relay.IPv4.Port}/announce");

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.DoesNotContain("FAIL", run.Output);
        foreach (var check in new[] { "announce", "interval", "external ip", "forged headers", "scrape", "health", "connect", "address" })
        {
            Assert.Matches($"(?m)^  PASS  {check} ", run.Output);
        }

        Assert.Contains("127.0.0.1, the same in a second announce and in its peer list", run.Output);
        Assert.Contains("SKIP  https           plain http, no passkey", run.Output);
        Assert.Matches("[0-9]+ passed, 0 failed, 1 skipped", run.Output);
    }

    [Fact]
    public async Task TheCheckLeavesNoPeerBehind()
    {
        const string token = "check-test-token-0f1e2d3c4b5a69788796a5b4c3d2e1f0";
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?> { ["Tracker:Admin:Token"] = token }, ipv6: false);

        var run = await Check(new Uri(tracker.BaseV4, "/announce").ToString());

        Assert.Equal(0, run.ExitCode);
        var swarms = (await new Cli(tracker.BaseV4, token).RunAsync("swarm", "list", "--json")).Json["swarms"]!.AsArray();
        Assert.NotEmpty(swarms);
        Assert.All(swarms, swarm => Assert.Equal(0, swarm!["seeders"]!.GetValue<long>() + swarm["leechers"]!.GetValue<long>()));
    }

    [Fact]
    public async Task ATrackerThatTrustsForwardedForFromTheLoopbackFailsTheForgedHeaderCheck()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Network:TrustedProxies:0"] = "127.0.0.1",
        }, ipv6: false);

        var run = await Check(new Uri(tracker.BaseV4, "/announce").ToString());

        Assert.Equal(1, run.ExitCode);
        Assert.Matches("(?m)^  FAIL  forged headers  external ip became 203.0.113.7 .*the tracker trusts forged headers$", run.Output);
        Assert.Matches("(?m)^  PASS  announce ", run.Output);
    }

    [Fact]
    public async Task NothingListeningFailsFastAndABadUrlIsAUsageError()
    {
        var started = DateTime.UtcNow;
        var run = await Check("http://127.0.0.1:1/announce", "udp://127.0.0.1:1/announce");

        Assert.Equal(1, run.ExitCode);
        Assert.Matches("(?m)^  FAIL  announce        cannot reach", run.Output);
        Assert.Matches("(?m)^  FAIL  connect ", run.Output);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), "each request is bounded by 5 s");

        var usage = await Check("ftp://tracker.example.org/announce");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("not an http://, https:// or udp:// announce URL", usage.Error);
        Assert.Equal(2, (await Check("udp://tracker.example.org/announce")).ExitCode);
    }

    private static Task<Cli.Run> Check(params string[] urls) =>
        new Cli(new Uri("http://127.0.0.1:1"), null, []).RunAsync(["check", .. urls]);
}
