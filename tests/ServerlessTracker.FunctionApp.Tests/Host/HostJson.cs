using System.Text.Json;

namespace ServerlessTracker.FunctionApp.Tests.Host;

/// <summary>The one host.json setting the emulated host acts on: <c>extensions.http.routePrefix</c>.</summary>
internal static class HostJson
{
    // The host's default when host.json says nothing; the tracker sets "" to serve /announce at the root.
    private const string DefaultRoutePrefix = "api";

    public static string ReadRoutePrefix(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            return DefaultRoutePrefix;
        }

        // host.json is read leniently by the host (comments and trailing commas are accepted).
        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        return document.RootElement.TryGetProperty("extensions", out var extensions) &&
            extensions.TryGetProperty("http", out var http) &&
            http.TryGetProperty("routePrefix", out var prefix) &&
            prefix.ValueKind == JsonValueKind.String
            ? prefix.GetString()!
            : DefaultRoutePrefix;
    }
}
