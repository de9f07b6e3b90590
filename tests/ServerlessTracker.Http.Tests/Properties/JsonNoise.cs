using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ServerlessTracker.Http.Tests.Properties;

/// <summary>Generators of JSON-shaped input: CloudEvents and invocation payloads, valid, nearly valid and broken.</summary>
public static class JsonNoise
{
    private static readonly string[] Keys =
        ["specversion", "id", "source", "type", "data", "data_base64", "datacontenttype", "time", "subject", "Data", "Metadata", "event", "sys", "x"];

    private static readonly string[] Scalars =
        ["\"1.0\"", "\"dev.serverlesstracker.peers.v1\"", "\"/regions/east\"", "\"/regions/west\"", "\"U1RTMQAAAAA=\"", "\"STS1\"", "\"2026-11-23T12:00:00Z\"",
         "\"not a time\"", "\"application/octet-stream\"", "null", "true", "0", "-1", "1e400", "\"\"", "\"\\u0000\"", "\"%%%\"", "[]", "{}", "\"==\""];

    public static Gen<string> Value(int depth)
    {
        var scalar = Gen.Elements(Scalars);
        if (depth == 0)
        {
            return scalar;
        }

        var inner = Value(depth - 1);
        var member = Gen.Elements(Keys).Zip(inner, (k, v) => $"\"{k}\":{v}");
        var obj = Gen.Choose(0, 6).SelectMany(n => Gen.ArrayOf(member, n)).Select(m => "{" + string.Join(",", m) + "}");
        var array = Gen.Choose(0, 3).SelectMany(n => Gen.ArrayOf(inner, n)).Select(items => "[" + string.Join(",", items) + "]");
        var quoted = inner.Select(v => System.Text.Json.JsonSerializer.Serialize(v));
        return Gen.Frequency((3, scalar), (3, obj), (1, array), (1, quoted));
    }

    /// <summary>A valid sync CloudEvent (the shape the publisher sends), as JSON.</summary>
    public static string ValidEvent(string source, byte[] data) =>
        $$"""{"specversion":"1.0","id":"{{Guid.NewGuid()}}","source":"{{source}}","type":"dev.serverlesstracker.peers.v1","datacontenttype":"application/octet-stream","data_base64":"{{Convert.ToBase64String(data)}}"}""";

    /// <summary>JSON trees, valid events with one character changed or cut, and raw bytes.</summary>
    public static Gen<byte[]> Documents() => Gen.OneOf(
        Value(4).Select(Encoding.UTF8.GetBytes),
        from valid in Gen.Elements(ValidEvent("/regions/west", [0x53, 0x54, 0x53, 0x31, 0, 0, 0, 0]), "[" + ValidEvent("/regions/west", []) + "]", """{"Data":{"event":{}},"Metadata":{}}""")
        from at in Gen.Choose(0, 10_000)
        from what in Gen.Elements('{', '}', '"', ',', ':', '[', ']', '\\', 'x', '0', ' ')
        from cut in Gen.Elements(true, false)
        select Encoding.UTF8.GetBytes(cut ? valid[..(at % (valid.Length + 1))] : valid.Remove(at % valid.Length, 1).Insert(at % valid.Length, what.ToString())),
        Gen.Choose(0, 200).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)));
}
