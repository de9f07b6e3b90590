using System.Text.Json;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>Real BitTorrent software against the real relay: the npm tracker client and a libtorrent download.</summary>
public sealed class WhenRealClientsUseTheRelay : IAsyncLifetime
{
    private RelayHost _relay = null!;

    public async Task InitializeAsync() => _relay = await RelayHost.StartAsync();

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task TheNpmBittorrentTrackerClientAnnouncesAndScrapesOverUdp()
    {
        // tools/test.sh installs the module (npm install --ignore-scripts bittorrent-tracker) and sets ST_NODE_MODULES.
        var modules = Environment.GetEnvironmentVariable("ST_NODE_MODULES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(ExternalProgram.RepositoryRoot(), "tools", "node_modules");
        Assert.True(
            File.Exists(Path.Combine(modules, "bittorrent-tracker", "client.js")),
            $"The npm package bittorrent-tracker is missing under '{modules}'. Run tools/test.sh, or `npm install --ignore-scripts bittorrent-tracker` and set ST_NODE_MODULES to its node_modules.");
        var url = $"udp://127.0.0.1:{_relay.IPv4.Port}/announce";

        var (exitCode, output, errors) = await ExternalProgram.RunAsync(
            "node",
            [ExternalProgram.ClientScript("bittorrent-tracker-udp.mjs"), modules, url, "40101", "40102"],
            TimeSpan.FromSeconds(30),
            "Install Node.js (apt-get install nodejs).");

        Assert.True(exitCode == 0, $"node client failed ({exitCode}): {output}{errors}");
        using var seen = JsonDocument.Parse(output);
        var root = seen.RootElement;
        Assert.Equal("127.0.0.1:40101", root.GetProperty("peer").GetString());
        Assert.Equal(1, root.GetProperty("leecher").GetProperty("complete").GetInt32());
        Assert.Equal(1, root.GetProperty("leecher").GetProperty("incomplete").GetInt32());
        Assert.Equal(1, root.GetProperty("scrape").GetProperty("complete").GetInt32());
        Assert.Equal(1, root.GetProperty("scrape").GetProperty("incomplete").GetInt32());
    }

    [Fact]
    public async Task LibtorrentDownloadsATorrentWhosePeersComeOnlyFromTheUdpRelay()
    {
        const string python = "/usr/bin/python3";
        const string hint = "Install Debian's python3-libtorrent (apt-get install python3-libtorrent); it imports under /usr/bin/python3.";
        Assert.True(File.Exists(python), $"{python} is missing. {hint}");
        var probe = await ExternalProgram.RunAsync(python, ["-c", "import libtorrent"], TimeSpan.FromSeconds(30), hint);
        Assert.True(probe.ExitCode == 0, $"{python} cannot import libtorrent: {probe.Errors}. {hint}");
        var url = $"udp://127.0.0.1:{_relay.IPv4.Port}/announce";

        var (exitCode, output, errors) = await ExternalProgram.RunAsync(
            python,
            [ExternalProgram.ClientScript("libtorrent_udp_download.py"), url],
            TimeSpan.FromSeconds(90),
            hint);

        Assert.True(exitCode == 0, $"libtorrent download failed ({exitCode}): {output}{errors}");
        Assert.StartsWith("OK:", output);
    }
}
