using System.Text.Json;
using ServerlessTracker.FunctionApp.Tests.Host;
using ServerlessTracker.FunctionApp.Tests.Support;
using ServerlessTracker.Http.Hosting;

namespace ServerlessTracker.FunctionApp.Tests.Package;

/// <summary>The package azd deploys (<c>dotnet publish</c> of the function app): what the Functions host reads from it.</summary>
public sealed class WhenPublishingTheFunctionApp
{
    // Every function the app has, as the host must see it: trigger, route, methods, authorization.
    private static readonly Dictionary<string, (string Trigger, string? Route, string[] Methods, string? Auth)> Expected = new()
    {
        ["announce"] = ("httpTrigger", "announce/{*passkey}", ["get"], "Anonymous"),
        ["scrape"] = ("httpTrigger", "scrape/{*passkey}", ["get"], "Anonymous"),
        ["stats"] = ("httpTrigger", "stats/{*format}", ["get", "head"], "Anonymous"),
        ["stats-json"] = ("httpTrigger", "stats.json", ["get", "head"], "Anonymous"),
        ["health"] = ("httpTrigger", "health", ["get", "head"], "Anonymous"),
        ["health-ready"] = ("httpTrigger", "health/ready", ["get", "head"], "Anonymous"),
        ["metrics"] = ("httpTrigger", "metrics", ["get"], "Function"),
        ["manage"] = ("httpTrigger", "manage/{*path}", ["get", "post", "delete"], "Function"),
        ["syncevents"] = ("httpTrigger", "sync/events", ["post", "options"], "Function"),
        ["purge"] = ("timerTrigger", null, [], null),
    };

    [Fact]
    public async Task ItHoldsTheWorkerConfigTheMetadataAndHostJson()
    {
        var output = await PublishedWorker.PublishAsync(FunctionAppUnderTest.ProjectPath);

        using var worker = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "worker.config.json")));
        var description = worker.RootElement.GetProperty("description");
        Assert.Equal("dotnet-isolated", description.GetProperty("language").GetString());
        Assert.True(File.Exists(Path.Combine(output, description.GetProperty("defaultWorkerPath").GetString()!)));

        using var host = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "host.json")));
        Assert.Equal("", host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.False(host.RootElement.TryGetProperty("customHandler", out _));

        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "functions.metadata")));
        var functions = metadata.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bindings")[0]);
        Assert.Equal(Expected.Keys.Order(), functions.Keys.Order());
        foreach (var (name, (trigger, route, methods, auth)) in Expected)
        {
            var binding = functions[name];
            Assert.Equal(trigger, binding.GetProperty("type").GetString());
            Assert.Equal(route, binding.TryGetProperty("route", out var r) ? r.GetString() : null);
            Assert.Equal(methods, binding.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!).ToArray() : []);
            Assert.Equal(auth, binding.TryGetProperty("authLevel", out var a) ? a.GetString() : null);
        }

        // The host reserves /admin and refuses function routes that start with it.
        Assert.DoesNotContain(Expected.Values, f => f.Route?.StartsWith("admin", StringComparison.OrdinalIgnoreCase) == true);
        Assert.Equal($"%{AzureAppSettings.PurgeSchedule}%", functions["purge"].GetProperty("schedule").GetString());
    }

    [Fact]
    public async Task TheHostLoadsEveryFunctionOfThePublishedWorker()
    {
        await using var app = await FunctionAppUnderTest.StartAsync();
        Assert.Equal(Expected.Keys.Order(), app.Host.Functions.Select(f => f.Name).Order());
        Assert.All(app.Host.Functions, f => Assert.Null(f.Error));
        Assert.Equal(FunctionAppUnderTest.RequiredSettings["PurgeSchedule"], app.Host.GetFunction("purge").ResolvedSchedule);
        Assert.Contains("HttpUri", app.Host.WorkerCapabilities.Keys);
    }
}
