using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace ServerlessTracker.Protocol.Tests.Properties;

/// <summary>Generators shared by the protocol properties: raw bytes, query-shaped noise, valid announces.</summary>
public static class Generators
{
    public static Gen<byte> Byte => Gen.Choose(0, 255).Select(b => (byte)b);

    public static Gen<byte[]> Bytes(int min, int max) => Gen.Choose(min, max).SelectMany(n => Gen.ArrayOf(Byte, n));

    public static Gen<byte[]> Twenty => Gen.ArrayOf(Byte, 20);

    /// <summary>Bytes biased towards what parsers look for: separators, escapes, digits, letters.</summary>
    public static Gen<byte[]> QueryNoise(int max)
    {
        var interesting = Gen.Elements("&=%+?0123456789abcdefABCDEF-_.~ \0\xff"u8.ToArray());
        var anyByte = Gen.Frequency((3, interesting), (1, Byte));
        return Gen.Choose(0, max).SelectMany(n => Gen.ArrayOf(anyByte, n));
    }

    private static readonly string[] Keys =
        ["info_hash", "peer_id", "port", "left", "uploaded", "downloaded", "event", "numwant", "compact", "no_peer_id", "key", "ip", "ipv4", "ipv6", "trackerid", "x"];

    private static readonly string[] Values =
        ["", "0", "1", "-1", "6881", "65535", "65536", "99999999999999999999", "started", "stopped", "completed", "paused", "empty", "%", "%4", "%zz", "%41",
         "1.2.3.4", "[::1]:80", "::1", "1.2.3.4:5", "+", "deadbeef", "123456789", "%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00%00"];

    /// <summary>Queries made of known and unknown keys with tricky values, and some raw noise mixed in.</summary>
    public static Gen<byte[]> AnnounceShapedQuery()
    {
        var value = Gen.Frequency(
            (4, Gen.Elements(Values)),
            (2, Twenty.Select(Encode)),
            (1, QueryNoise(30).Select(b => Encoding.Latin1.GetString(b))));
        var pair = Gen.Elements(Keys).Zip(value, (k, v) => k + "=" + v);
        return Gen.Choose(0, 14).SelectMany(n => Gen.ArrayOf(pair, n)).Select(pairs => Encoding.Latin1.GetBytes(string.Join("&", pairs)));
    }

    public static string Encode(byte[] bytes)
    {
        var buffer = new byte[Protocol.Http.PercentEncoding.EncodedLength(bytes)];
        Protocol.Http.PercentEncoding.Encode(bytes, buffer);
        return Encoding.ASCII.GetString(buffer);
    }
}
