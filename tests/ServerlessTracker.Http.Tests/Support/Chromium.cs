namespace ServerlessTracker.Http.Tests.Support;

/// <summary>Headless Chromium (Debian package <c>chromium</c>), for tests that look at pages as a person would.</summary>
public static class Chromium
{
    /// <summary>The browser: <c>ST_CHROMIUM</c>, else <c>chromium</c> or <c>chromium-browser</c> on the PATH; the test fails when none is installed.</summary>
    public static string Executable()
    {
        var configured = Environment.GetEnvironmentVariable("ST_CHROMIUM");
        if (!string.IsNullOrEmpty(configured) && File.Exists(configured))
        {
            return configured;
        }

        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        Assert.Fail("Chromium is not installed: apt-get install chromium (tools/test.sh installs it), or set ST_CHROMIUM.");
        return "";
    }

    /// <summary>The page's DOM after load (<c>--dump-dom</c>).</summary>
    public static async Task<string> DumpDomAsync(string url) => (await RunAsync(["--dump-dom", url])).Output;

    /// <summary>Saves a screenshot of the page to <paramref name="file"/>.</summary>
    public static async Task ScreenshotAsync(string url, string file, int width = 1280, int height = 900)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await RunAsync([$"--screenshot={file}", $"--window-size={width},{height}", url]);
    }

    private static async Task<(string Output, string Error)> RunAsync(IEnumerable<string> arguments)
    {
        var profile = Directory.CreateTempSubdirectory("st-chromium-");
        try
        {
            string[] common =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars", $"--user-data-dir={profile.FullName}",
            ];
            var (exit, output, error) = await Repository.RunAsync(Executable(), [.. common, .. arguments], TimeSpan.FromSeconds(90));
            Assert.True(exit == 0, $"chromium exited with {exit}: {error}");
            return (output, error);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
