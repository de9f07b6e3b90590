using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Http.Hosting;

namespace ServerlessTracker.Http.Tests.Support;

/// <summary>The real app on real Kestrel, on loopback ports chosen by the OS, with configuration overrides.</summary>
public sealed class RunningTracker : ITrackerUnderTest
{
    private RunningTracker(WebApplication app, Uri v4, Uri? v6)
    {
        App = app;
        BaseV4 = v4;
        BaseV6 = v6;
        Client = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = v4 };
    }

    public WebApplication App { get; }

    public Uri BaseV4 { get; }

    public Uri? BaseV6 { get; }

    public HttpClient Client { get; }

    public bool ThroughFunctionsHost => false;

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A clock that does not move, for tests of per-address budgets: at one token a second, a busy machine would
    /// otherwise refill a bucket mid-test. Pass as <c>configure</c>.</summary>
    public static void FrozenClock(WebApplicationBuilder builder) =>
        builder.Services.AddSingleton<TimeProvider>(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow));

    /// <summary>Starts the tracker; <paramref name="settings"/> are configuration keys (Tracker:...) and values.</summary>
    /// <param name="urls">Listen URLs; empty to let the app choose (as under the Functions host).</param>
    public static async Task<RunningTracker> StartAsync(IDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null, bool ipv6 = true, string? urls = null)
    {
        urls ??= ipv6 ? "http://127.0.0.1:0;http://[::1]:0" : "http://127.0.0.1:0";
        var args = urls.Length > 0 ? new List<string> { "--urls", urls } : [];
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            args.Add($"--{key}={value}");
        }

        var app = TrackerApp.Build([.. args], configure);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        // On a dual-stack wildcard ([::]) the IPv4 loopback reaches the same port, as an IPv4-mapped client.
        var v4 = addresses.Select(a => new Uri(a)).FirstOrDefault(u => u.Host == "127.0.0.1")
            ?? addresses.Select(a => new Uri(a)).Where(u => u.Host == "[::]").Select(u => new UriBuilder(u) { Host = "127.0.0.1" }.Uri).First();
        var v6 = addresses.Select(a => new Uri(a)).FirstOrDefault(u => u.Host == "[::1]");
        return new RunningTracker(app, v4, v6);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
