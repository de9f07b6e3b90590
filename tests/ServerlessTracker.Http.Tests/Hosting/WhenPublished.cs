using System.Net;
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

/// <summary>The self-hosted package: what `dotnet publish functions/ServerlessTracker.Server` yields runs anywhere on Linux.</summary>
public sealed class WhenPublished(PublishedApp published) : IClassFixture<PublishedApp>
{
    private readonly string _output = published.Output;

    [Fact]
    public void ItIsOneSelfContainedExecutable()
    {
        var executable = Path.Combine(_output, "ServerlessTracker.Server");
        Assert.True(File.Exists(executable), $"{executable} missing");
        Assert.True(OperatingSystem.IsWindows() || (File.GetUnixFileMode(executable) & UnixFileMode.UserExecute) != 0, "not executable");

        // Self-contained: a machine (or container) without .NET runs it.
        Assert.True(File.Exists(Path.Combine(_output, "libcoreclr.so")));

        // Not a function app: that is functions/ServerlessTracker.FunctionApp.
        Assert.False(File.Exists(Path.Combine(_output, "host.json")));
        Assert.False(File.Exists(Path.Combine(_output, "worker.config.json")));
    }

    [Fact]
    public async Task TheExecutableServesAnnouncesWhereItIsTold()
    {
        var port = WhenBehindProxies.FreePort();
        var start = new System.Diagnostics.ProcessStartInfo(Path.Combine(_output, "ServerlessTracker.Server"))
        {
            WorkingDirectory = Path.GetTempPath(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
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
