using System.Buffers;
using System.Text.Json;

namespace ServerlessTracker.Sync.Wire;

/// <summary>CloudEvents 1.0 in the JSON event format (structured mode), written and read without reflection so the
/// binaries can be published Native AOT (<c>Azure.Messaging.CloudEvent</c> serializes through reflection).</summary>
/// <remarks>
/// Sent as a batch, a JSON array (<c>application/cloudevents-batch+json</c>), which is what Event Grid's topic takes;
/// received as one event object (<c>application/cloudevents+json</c>) or an array, as Event Grid delivers either:
/// <code>
/// [{"specversion": "1.0", "id": "guid", "source": "/regions/west", "type": "dev.serverlesstracker.peers.v1",
///   "time": "2026-12-07T18:00:00.123+00:00", "datacontenttype": "application/octet-stream", "data_base64": "U1RTMg…"},
///  {"specversion": "1.0", …, "type": "dev.serverlesstracker.operator.v1", "datacontenttype": "application/json", "data": {…}}]
/// </code>
/// Reading is strict where it matters: <c>specversion</c> must be <c>"1.0"</c>; <c>id</c>, <c>source</c> and <c>type</c>
/// are required non-empty strings; <c>time</c>, when present, an RFC 3339 time; <c>data_base64</c> valid base64, and
/// not together with <c>data</c>; no known attribute twice. Other attributes (extensions such as <c>traceparent</c>,
/// <c>subject</c>) are skipped, a null optional attribute counts as absent. Anything else, including a body over
/// <see cref="MaxBatchBytes"/> or nested deeper than the reader's 64 levels, fails the whole delivery as null.
/// </remarks>
public static class CloudEventJson
{
    /// <summary>The largest body read: Event Grid delivers at most 1 MB per event and per batch, with room to spare.</summary>
    public const int MaxBatchBytes = 2 * 1024 * 1024;

    /// <summary>Encodes events as a JSON array; <see cref="CloudEventDataForm.Json"/> data must be valid JSON.</summary>
    public static byte[] EncodeBatch(IReadOnlyList<SyncCloudEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            for (var i = 0; i < events.Count; i++)
            {
                Write(writer, events[i]);
            }

            writer.WriteEndArray();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Write(Utf8JsonWriter writer, SyncCloudEvent cloudEvent)
    {
        writer.WriteStartObject();
        writer.WriteString("specversion"u8, "1.0"u8);
        writer.WriteString("id"u8, cloudEvent.Id);
        writer.WriteString("source"u8, cloudEvent.Source);
        writer.WriteString("type"u8, cloudEvent.Type);
        if (cloudEvent.Time is { } time)
        {
            writer.WriteString("time"u8, time);
        }

        if (cloudEvent.DataContentType is { } contentType)
        {
            writer.WriteString("datacontenttype"u8, contentType);
        }

        switch (cloudEvent.DataForm)
        {
            case CloudEventDataForm.Base64:
                writer.WriteBase64String("data_base64"u8, cloudEvent.Data.Span);
                break;
            case CloudEventDataForm.Json:
                writer.WritePropertyName("data"u8);
                writer.WriteRawValue(cloudEvent.Data.Span);
                break;
        }

        writer.WriteEndObject();
    }

    /// <summary>Decodes one event object or an array of them; null when the body is not CloudEvents JSON.</summary>
    /// <remarks>The events' data slices <paramref name="json"/>, which must outlive them.</remarks>
    public static IReadOnlyList<SyncCloudEvent>? Decode(ReadOnlyMemory<byte> json)
    {
        if (json.Length > MaxBatchBytes)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json.Span);
            if (!reader.Read())
            {
                return null;
            }

            var events = new List<SyncCloudEvent>();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                if (ReadEvent(ref reader, json) is not { } single)
                {
                    return null;
                }

                events.Add(single);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject || ReadEvent(ref reader, json) is not { } item)
                    {
                        return null;
                    }

                    events.Add(item);
                }
            }
            else
            {
                return null;
            }

            // The reader throws on anything but whitespace after the top-level value.
            return reader.Read() ? null : events;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // Strings that cannot be transcoded (invalid UTF-8 in an escaped string).
            return null;
        }
    }

    [Flags]
    private enum Seen
    {
        None = 0,
        SpecVersion = 1,
        Id = 2,
        Source = 4,
        Type = 8,
        Time = 16,
        ContentType = 32,
        Data = 64,
        DataBase64 = 128,
        Required = SpecVersion | Id | Source | Type,
    }

    /// <summary>Reads the object the reader is on to its end; null when it is not a valid event.</summary>
    private static SyncCloudEvent? ReadEvent(ref Utf8JsonReader reader, ReadOnlyMemory<byte> json)
    {
        var seen = Seen.None;
        string? id = null, source = null, type = null, contentType = null;
        DateTimeOffset? time = null;
        ReadOnlyMemory<byte> data = default;
        var form = CloudEventDataForm.None;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var attribute = Attribute(ref reader);

            // An event carries data in one form or the other, and no attribute twice.
            var conflicts = attribute is Seen.Data or Seen.DataBase64 ? Seen.Data | Seen.DataBase64 : attribute;
            if ((seen & conflicts) != 0)
            {
                return null;
            }

            seen |= attribute;
            if (!reader.Read())
            {
                return null;
            }

            var isString = reader.TokenType == JsonTokenType.String;
            var isNull = reader.TokenType == JsonTokenType.Null;
            switch (attribute)
            {
                case Seen.SpecVersion:
                    if (!isString || !reader.ValueTextEquals("1.0"u8))
                    {
                        return null;
                    }

                    break;
                case Seen.Id:
                    if (!isString)
                    {
                        return null;
                    }

                    id = reader.GetString();
                    break;
                case Seen.Source:
                    if (!isString)
                    {
                        return null;
                    }

                    source = reader.GetString();
                    break;
                case Seen.Type:
                    if (!isString)
                    {
                        return null;
                    }

                    type = reader.GetString();
                    break;
                case Seen.Time:
                    if (isString && reader.TryGetDateTimeOffset(out var at))
                    {
                        time = at;
                    }
                    else if (!isNull)
                    {
                        return null;
                    }

                    break;
                case Seen.ContentType:
                    if (!isString && !isNull)
                    {
                        return null;
                    }

                    contentType = isString ? reader.GetString() : null;
                    break;
                case Seen.DataBase64:
                    if (isString && reader.TryGetBytesFromBase64(out var bytes))
                    {
                        (data, form) = (bytes, CloudEventDataForm.Base64);
                    }
                    else if (!isNull)
                    {
                        return null;
                    }

                    break;
                case Seen.Data:
                    if (!isNull)
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        (data, form) = (json[start..(int)reader.BytesConsumed], CloudEventDataForm.Json);
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || (seen & Seen.Required) != Seen.Required
            || string.IsNullOrEmpty(id) || string.IsNullOrEmpty(source) || string.IsNullOrEmpty(type))
        {
            return null;
        }

        return new SyncCloudEvent(id, source, type, time, contentType, data, form);
    }

    /// <summary>The attribute a property name is; <see cref="Seen.None"/> for any other.</summary>
    private static Seen Attribute(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("specversion"u8) ? Seen.SpecVersion
        : reader.ValueTextEquals("id"u8) ? Seen.Id
        : reader.ValueTextEquals("source"u8) ? Seen.Source
        : reader.ValueTextEquals("type"u8) ? Seen.Type
        : reader.ValueTextEquals("time"u8) ? Seen.Time
        : reader.ValueTextEquals("datacontenttype"u8) ? Seen.ContentType
        : reader.ValueTextEquals("data"u8) ? Seen.Data
        : reader.ValueTextEquals("data_base64"u8) ? Seen.DataBase64
        : Seen.None;
}
