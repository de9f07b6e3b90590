using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessTracker.Http.Tests.Support;

/// <summary>Admin API calls for tests, and announce URLs that carry a passkey and transfer counters.</summary>
public static class AdminApi
{
    public const string Token = "test-admin-token-0123456789abcdef";

    public static Dictionary<string, string?> Settings(params (string Key, string? Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Tracker:Admin:Token"] = Token };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    public static async Task<(HttpStatusCode Status, JsonNode? Body)> SendAsync(this HttpClient client, HttpMethod method, string path, object? body = null, string? token = Token)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body as string ?? JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    public static async Task<JsonNode> OkAsync(this HttpClient client, HttpMethod method, string path, object? body = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var (status, json) = await client.SendAsync(method, path, body);
        Assert.True(status == expected, $"{method} {path}: {(int)status} {json}");
        return json!;
    }

    public static async Task<string> CreatePasskeyAsync(this HttpClient client, string? name = null)
    {
        var json = await client.OkAsync(HttpMethod.Post, "/admin/passkeys", name is null ? null : new { name }, HttpStatusCode.Created);
        return json["passkey"]!.GetValue<string>();
    }

    /// <summary>An announce to <c>/announce/{passkey}</c> (or <c>/announce</c> when null) with the given counters.</summary>
    public static string AnnounceUrl(string? passkey, byte[] infoHash, int peer, long uploaded = 0, long downloaded = 0, long left = 0, int port = 6881, string extra = "") =>
        $"/announce{(passkey is null ? "" : "/" + passkey)}?info_hash={Announces.Encode(infoHash)}&peer_id={Announces.Encode(Announces.PeerId(peer))}" +
        $"&port={port}&uploaded={uploaded}&downloaded={downloaded}&left={left}{extra}";
}
