using System.Text.Json;
using ServerlessTracker.Http.Tests.Support;
using Xunit.Abstractions;

namespace ServerlessTracker.Http.Tests.EndToEnd;

/// <summary>Two real libtorrent sessions that can only meet through our tracker complete a download.</summary>
public class WhenLibtorrentClientsShareATorrent(ITestOutputHelper output)
{
    /// <summary>Configuration that selects the store: none (the in-memory store) here; Table Storage in the derived class.</summary>
    protected virtual IDictionary<string, string?> Store => new Dictionary<string, string?>();

    public const string Python = "/usr/bin/python3";

    /// <summary>Starts the tracker under test with <paramref name="settings"/>: the self-hosted server here.</summary>
    protected virtual async Task<ITrackerUnderTest> StartAsync(IDictionary<string, string?> settings) => await RunningTracker.StartAsync(settings, ipv6: false);

    [Fact]
    public async Task TheLeecherDownloadsFromTheSeederFoundThroughTheTracker()
    {
        await using var tracker = await StartAsync(Store);
        var work = Directory.CreateTempSubdirectory("st-e2e-");
        try
        {
            var result = await RunSwarmAsync(new Uri(tracker.BaseV4, "/announce").ToString(), work.FullName, output);
            Assert.True(result.GetProperty("complete").GetBoolean(), result.ToString());

            var hash = Convert.FromHexString(result.GetProperty("info_hash_v1").GetString()!);
            var file = (await tracker.Client.GetBencodeAsync(Announces.ScrapeUrl(hash)))["files"]!.Find(hash)!;
            Assert.True(file["downloaded"]!.Integer >= 1, "the tracker never saw the leecher complete");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>Runs libtorrent_swarm.py against a tracker URL and returns its JSON result.</summary>
    public static async Task<JsonElement> RunSwarmAsync(string trackerUrl, string workDir, ITestOutputHelper output)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "EndToEnd", "libtorrent_swarm.py");
        var check = await Repository.RunAsync(Python, ["-c", "import libtorrent"], TimeSpan.FromSeconds(30));
        Assert.True(check.ExitCode == 0, $"{Python} cannot import libtorrent (apt-get install python3-libtorrent; tools/test.sh does): {check.Error}");

        var (exit, stdout, stderr) = await Repository.RunAsync(Python, [script, trackerUrl, workDir, "60"], TimeSpan.FromSeconds(120));
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        var line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        Assert.True(line is not null, $"no result from the libtorrent script (exit {exit}): {stderr}");
        return JsonDocument.Parse(line).RootElement.Clone();
    }
}
