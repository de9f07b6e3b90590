using System.Net;
using System.Text.Json;
using ServerlessTracker.Http.Tests.Network;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Hosting;

/// <summary>The output of `dotnet publish`, made once for the tests that inspect it.</summary>
public sealed class PublishedApp : IAsyncLifetime
{
    public string Output { get; } = Path.Combine(Path.GetTempPath(), "st-publish-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        var (exit, stdout, stderr) = await Repository.RunAsync("dotnet",
            ["publish", Path.Combine(Repository.Root, "functions", "ServerlessTracker.Server"), "-c", "Release", "-o", Output,
             "--artifacts-path", Output + "-artifacts", "-nologo"],
            TimeSpan.FromMinutes(5));
        Assert.True(exit == 0, $"dotnet publish failed:\n{stdout}\n{stderr}");
    }

    public Task DisposeAsync()
    {
        foreach (var dir in new[] { Output, Output + "-artifacts" })
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        return Task.CompletedTask;
    }
}

/// <summary>The deployable package: what `dotnet publish` yields must be a function app the host can run.</summary>
public sealed class WhenPublished(PublishedApp published) : IClassFixture<PublishedApp>
{
    private readonly string _output = published.Output;

    [Fact]
    public async Task ItHoldsHostJsonFunctionFoldersAndTheExecutableHostJsonNames()
    {
        using var hostJson = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "host.json")));
        var handler = hostJson.RootElement.GetProperty("customHandler");
        Assert.True(handler.GetProperty("enableProxyingHttpRequest").GetBoolean());
        Assert.Equal("", hostJson.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        var executable = Path.Combine(_output, handler.GetProperty("description").GetProperty("defaultExecutablePath").GetString()!);
        Assert.True(File.Exists(executable), $"{executable} missing");
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, "not executable");

        foreach (var function in new[] { "announce", "scrape", "purge" })
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, function, "function.json")));
            Assert.NotEmpty(json.RootElement.GetProperty("bindings").EnumerateArray());
        }

        // Self-contained: the 'custom' runtime has no .NET installed.
        Assert.True(File.Exists(Path.Combine(_output, "libcoreclr.so")));
    }

    [Fact]
    public async Task TheExecutableServesOnTheHostsPort()
    {
        var port = WhenBehindProxies.FreePort();
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(_output, "ServerlessTracker.Server"))
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            HttpResponseMessage? probe = null;
            for (var attempt = 0; attempt < 100 && probe is null; attempt++)
            {
                try
                {
                    probe = await client.GetAsync("/");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(probe);
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
            var answer = await client.GetBencodeAsync(Announces.AnnounceUrl(Announces.Hash(51), 1));
            Assert.Null(answer.Failure());
            Assert.Equal(1, answer["complete"]!.Integer);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
