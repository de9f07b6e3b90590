using System.Text;
using System.Text.Json;
using Azure.Messaging;
using ServerlessTracker.Sync.Publishing;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Tests.Wire;

public class WhenCodingCloudEvents
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-12-07T18:00:00.125Z");
    private static readonly byte[] Binary = [0x53, 0x54, 0x53, 0x32, 0, 0, 0, 0, 0xff, 0xfe];
    private static readonly byte[] Json = """{"passkeys":[{"passkey":"abc","name":"alice"}],"ips":[]}"""u8.ToArray();

    [Fact]
    public void ABatchIsWrittenAsAJsonArrayWithBinaryDataInBase64()
    {
        var events = new[] { new SyncCloudEvent("1", "/regions/west", EventGridSyncPublisher.EventType, At, "application/octet-stream", new byte[] { 1, 2, 3 }, CloudEventDataForm.Base64) };

        Assert.Equal(
            """[{"specversion":"1.0","id":"1","source":"/regions/west","type":"dev.serverlesstracker.peers.v1","time":"2026-12-07T18:00:00.125+00:00","datacontenttype":"application/octet-stream","data_base64":"AQID"}]""",
            Encoding.UTF8.GetString(CloudEventJson.EncodeBatch(events)));
    }

    [Fact]
    public void JsonDataIsWrittenInlineAndReadBackAsItsText()
    {
        var events = new[] { SyncCloudEvent.Json("/regions/west", OperatorSyncPublisher.EventType, Json, At) };

        var text = Encoding.UTF8.GetString(CloudEventJson.EncodeBatch(events));
        var decoded = Assert.Single(CloudEventJson.Decode(Encoding.UTF8.GetBytes(text))!);

        Assert.Contains("\"data\":{\"passkeys\":", text, StringComparison.Ordinal);
        Assert.Equal(CloudEventDataForm.Json, decoded.DataForm);
        Assert.Equal(Json, decoded.Data.ToArray());
    }

    [Fact]
    public void BothDataFormsRoundTripInOneBatch()
    {
        SyncCloudEvent[] events =
        [
            SyncCloudEvent.Binary("/regions/west", EventGridSyncPublisher.EventType, Binary, At),
            SyncCloudEvent.Json("/regions/west", OperatorSyncPublisher.EventType, Json, At.AddSeconds(1)),
            new("no-data", "/regions/north", "dev.example.v1", null, null, default, CloudEventDataForm.None),
        ];

        var decoded = CloudEventJson.Decode(CloudEventJson.EncodeBatch(events))!;

        Assert.Equal(3, decoded.Count);
        for (var i = 0; i < events.Length; i++)
        {
            Assert.Equal(events[i] with { Data = default }, decoded[i] with { Data = default });
            Assert.Equal(events[i].Data.ToArray(), decoded[i].Data.ToArray());
        }
    }

    [Fact]
    public void ASingleEventObjectIsABatchOfOne()
    {
        var body = """{"specversion":"1.0","id":"x","source":"/regions/west","type":"dev.serverlesstracker.peers.v1","data_base64":"U1RTMg=="}""";

        var decoded = Assert.Single(CloudEventJson.Decode(Encoding.UTF8.GetBytes(body))!);

        Assert.Equal(("x", "/regions/west", CloudEventDataForm.Base64), (decoded.Id, decoded.Source, decoded.DataForm));
        Assert.Equal("STS2"u8.ToArray(), decoded.Data.ToArray());
        Assert.Null(decoded.Time);
    }

    [Fact]
    public void AnEmptyArrayIsAnEmptyBatch() =>
        Assert.Empty(CloudEventJson.Decode("[ ]"u8.ToArray())!);

    [Fact]
    public void ExtensionsAndNullOptionalAttributesAreIgnored()
    {
        var body = """
            [{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01","specversion":"1.0","subject":null,
              "nested":{"a":[1,2,{"b":null}]},"id":"x","source":"/regions/west","type":"t","time":null,"datacontenttype":null,"data":null}]
            """;

        var decoded = Assert.Single(CloudEventJson.Decode(Encoding.UTF8.GetBytes(body))!);

        Assert.Equal(new SyncCloudEvent("x", "/regions/west", "t", null, null, default, CloudEventDataForm.None), decoded);
    }

    [Fact]
    public void EventsSerializedByTheAzureSdkDecode()
    {
        var binary = new CloudEvent("/regions/west", EventGridSyncPublisher.EventType, BinaryData.FromBytes(Binary), "application/octet-stream") { Time = At };
        binary.ExtensionAttributes["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var json = new CloudEvent("/regions/west", OperatorSyncPublisher.EventType, BinaryData.FromBytes(Json), "application/json", CloudEventDataFormat.Json) { Time = At };

        var decoded = CloudEventJson.Decode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new[] { binary, json })))!;
        var single = CloudEventJson.Decode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(binary)))!;

        Assert.Equal(2, decoded.Count);
        Assert.Equal(new SyncCloudEvent(binary.Id, binary.Source, binary.Type, At, "application/octet-stream", default, CloudEventDataForm.Base64), decoded[0] with { Data = default });
        Assert.Equal(Binary, decoded[0].Data.ToArray());
        Assert.Equal(new SyncCloudEvent(json.Id, json.Source, json.Type, At, "application/json", default, CloudEventDataForm.Json), decoded[1] with { Data = default });
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(Json)), JsonSerializer.Serialize(JsonDocument.Parse(decoded[1].Data)));
        Assert.Equal(binary.Id, Assert.Single(single).Id);
    }

    [Fact]
    public void OurBatchesParseWithTheAzureSdk()
    {
        SyncCloudEvent[] events =
        [
            SyncCloudEvent.Binary("/regions/west", EventGridSyncPublisher.EventType, Binary, At),
            SyncCloudEvent.Json("/regions/west", OperatorSyncPublisher.EventType, Json, At),
        ];

        var parsed = CloudEvent.ParseMany(BinaryData.FromBytes(CloudEventJson.EncodeBatch(events)));

        Assert.Equal(2, parsed.Length);
        for (var i = 0; i < events.Length; i++)
        {
            Assert.Equal((events[i].Id, events[i].Source, events[i].Type, events[i].Time, events[i].DataContentType),
                (parsed[i].Id, parsed[i].Source, parsed[i].Type, parsed[i].Time, parsed[i].DataContentType));
        }

        Assert.Equal(Binary, parsed[0].Data!.ToArray());
        Assert.Equal(JsonSerializer.Serialize(JsonDocument.Parse(Json)), JsonSerializer.Serialize(JsonDocument.Parse(parsed[1].Data!)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("\"event\"")]
    [InlineData("{}")]
    [InlineData("[{}]")]
    [InlineData("[1]")]
    [InlineData("[[]]")]
    [InlineData("""[{"specversion":"1.0"}]""")]
    [InlineData("""{"id":"x","source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"0.3","id":"x","source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":1.0,"id":"x","source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":"","source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":null,"source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":7,"source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":{"id":"x"},"source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":"x","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s"}""")]
    [InlineData("""{"specversion":"1.0","id":"x","id":"y","source":"/s","type":"t"}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","time":"yesterday"}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","time":1764000000}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","datacontenttype":["a"]}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","data_base64":"not base64!"}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","data_base64":42}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","data_base64":"AQID","data":{}}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t","data":1,"data":2}""")]
    [InlineData("""{"specversion":"1.0","id":"x","source":"/s","type":"t"} {}""")]
    [InlineData("""[{"specversion":"1.0","id":"x","source":"/s","type":"t"}]]""")]
    [InlineData("""[{"specversion":"1.0","id":"x","source":"/s","type":"t"},]""")]
    public void MalformedBodiesAreRefused(string body) =>
        Assert.Null(CloudEventJson.Decode(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void EveryTruncationOfAValidBatchIsRefused()
    {
        var body = CloudEventJson.EncodeBatch([SyncCloudEvent.Binary("/regions/west", "t", Binary, At), SyncCloudEvent.Json("/regions/west", "t", Json, At)]);
        Assert.NotNull(CloudEventJson.Decode(body));

        for (var length = 0; length < body.Length; length++)
        {
            Assert.Null(CloudEventJson.Decode(body.AsMemory(0, length)));
        }
    }

    [Fact]
    public void InvalidUtf8IsRefused()
    {
        var body = """{"specversion":"1.0","id":"__","source":"/s","type":"t"}"""u8.ToArray();
        var at = Array.IndexOf(body, (byte)'_');
        body[at] = 0xc3;
        body[at + 1] = 0x28;

        Assert.Null(CloudEventJson.Decode(body));
    }

    [Theory]
    [InlineData("data")]
    [InlineData("extension")]
    public void DeeplyNestedValuesAreRefused(string attribute)
    {
        var bomb = new string('[', 10_000) + new string(']', 10_000);
        var body = $$"""{"specversion":"1.0","id":"x","source":"/s","type":"t","{{attribute}}":{{bomb}}}""";

        Assert.Null(CloudEventJson.Decode(Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void ABodyOverTheLimitIsRefusedEvenIfValid()
    {
        var data = new byte[CloudEventJson.MaxBatchBytes];
        var body = CloudEventJson.EncodeBatch([SyncCloudEvent.Binary("/regions/west", "t", data, At)]);
        var justUnder = CloudEventJson.EncodeBatch([SyncCloudEvent.Binary("/regions/west", "t", data.AsMemory(0, CloudEventJson.MaxBatchBytes / 2), At)]);

        Assert.Null(CloudEventJson.Decode(body));
        Assert.NotNull(CloudEventJson.Decode(justUnder));
    }
}
