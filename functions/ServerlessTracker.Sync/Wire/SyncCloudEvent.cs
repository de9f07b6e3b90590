namespace ServerlessTracker.Sync.Wire;

/// <summary>How a CloudEvent carried its data: not at all, as <c>data_base64</c>, or as a JSON value in <c>data</c>.</summary>
public enum CloudEventDataForm
{
    None,
    Base64,
    Json,
}

/// <summary>One CloudEvent as sync sends and receives it (see <see cref="CloudEventJson"/> for the wire format).</summary>
/// <param name="Data">The decoded bytes of <c>data_base64</c>, or the UTF-8 JSON text of <c>data</c>; empty when
/// <paramref name="DataForm"/> is <see cref="CloudEventDataForm.None"/>.</param>
public sealed record SyncCloudEvent(
    string Id,
    string Source,
    string Type,
    DateTimeOffset? Time,
    string? DataContentType,
    ReadOnlyMemory<byte> Data,
    CloudEventDataForm DataForm)
{
    /// <summary>An event with binary data (sent as <c>data_base64</c>) and a fresh id.</summary>
    public static SyncCloudEvent Binary(string source, string type, ReadOnlyMemory<byte> data, DateTimeOffset time) =>
        new(Guid.NewGuid().ToString(), source, type, time, "application/octet-stream", data, CloudEventDataForm.Base64);

    /// <summary>An event whose data is UTF-8 JSON (sent inline as <c>data</c>) and a fresh id.</summary>
    public static SyncCloudEvent Json(string source, string type, ReadOnlyMemory<byte> utf8Json, DateTimeOffset time) =>
        new(Guid.NewGuid().ToString(), source, type, time, "application/json", utf8Json, CloudEventDataForm.Json);
}
