using System.Text;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Http.Tests.Support;

/// <summary>Raw announce and scrape URLs as BitTorrent clients build them, and their decoded answers.</summary>
public static class Announces
{
    public static byte[] Hash(int seed)
    {
        var bytes = new byte[20];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] PeerId(int n) => Encoding.ASCII.GetBytes($"-ST0001-{n:D12}");

    public static string Encode(byte[] bytes)
    {
        var buffer = new byte[PercentEncoding.EncodedLength(bytes)];
        PercentEncoding.Encode(bytes, buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    public static string AnnounceUrl(byte[] infoHash, int peer, int port = 6881, long left = 0, string extra = "") =>
        $"/announce?info_hash={Encode(infoHash)}&peer_id={Encode(PeerId(peer))}&port={port}&uploaded=0&downloaded=0&left={left}{extra}";

    public static string ScrapeUrl(params byte[][] hashes) =>
        "/scrape" + (hashes.Length == 0 ? "" : "?" + string.Join("&", hashes.Select(h => "info_hash=" + Encode(h))));

    public static async Task<BencodeValue> GetBencodeAsync(this HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(BencodeDecoder.TryDecode(body, out var value, out var error), $"not bencode ({error}): {Encoding.Latin1.GetString(body)}");
        return value!;
    }

    public static string? Failure(this BencodeValue value) => value["failure reason"]?.Text;

    /// <summary>Compact IPv4 peers as "a.b.c.d:port".</summary>
    public static List<string> Peers4(this BencodeValue value)
    {
        var bytes = value["peers"]!.Bytes;
        var peers = new List<string>();
        for (var o = 0; o + 6 <= bytes.Length; o += 6)
        {
            peers.Add($"{bytes[o]}.{bytes[o + 1]}.{bytes[o + 2]}.{bytes[o + 3]}:{(bytes[o + 4] << 8) | bytes[o + 5]}");
        }

        return peers;
    }

    /// <summary>Compact IPv6 peers as "[v6]:port".</summary>
    public static List<string> Peers6(this BencodeValue value)
    {
        var bytes = value["peers6"]?.Bytes ?? [];
        var peers = new List<string>();
        for (var o = 0; o + 18 <= bytes.Length; o += 18)
        {
            peers.Add($"[{new System.Net.IPAddress(bytes.AsSpan(o, 16))}]:{(bytes[o + 16] << 8) | bytes[o + 17]}");
        }

        return peers;
    }
}
