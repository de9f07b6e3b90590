using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace ServerlessTracker.Admin;

/// <summary>One connection to a tracker's admin API: where it is and how to authenticate.</summary>
/// <remarks>
/// Standalone trackers serve the API at <c>/admin</c> and want the admin token (<c>Authorization: Bearer</c>).
/// Under the Azure Functions host it is the <c>manage</c> function at <c>/manage</c>, which wants the function key
/// (<c>x-functions-key</c>), and the token too when the app has one configured.
/// </remarks>
public sealed class AdminClient(HttpClient http, string? token, string? functionKey) : IDisposable
{
    public string Prefix { get; } = string.IsNullOrEmpty(functionKey) ? "/admin" : "/manage";

    /// <summary>Sends a request; returns the status and the parsed JSON body (null when empty).</summary>
    public async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, Prefix + path);
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (!string.IsNullOrEmpty(functionKey))
        {
            request.Headers.Add("x-functions-key", functionKey);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? json = null;
        if (text.Length > 0)
        {
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                json = new JsonObject { ["error"] = text.Length > 500 ? text[..500] : text };
            }
        }

        return ((int)response.StatusCode, json);
    }

    public void Dispose() => http.Dispose();
}
