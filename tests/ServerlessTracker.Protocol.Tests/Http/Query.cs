using System.Text;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Protocol.Tests.Http;

/// <summary>Builds raw query strings as clients send them.</summary>
internal static class Query
{
    public static byte[] Hash(byte seed) => Enumerable.Range(0, 20).Select(i => (byte)(seed + (i * 13))).ToArray();

    public static string Encode(byte[] bytes)
    {
        var buffer = new byte[PercentEncoding.EncodedLength(bytes)];
        PercentEncoding.Encode(bytes, buffer);
        return Encoding.ASCII.GetString(buffer);
    }

    public static byte[] Announce(byte[] infoHash, byte[] peerId, string extra = "port=6881&left=0") =>
        Encoding.ASCII.GetBytes($"?info_hash={Encode(infoHash)}&peer_id={Encode(peerId)}&{extra}");

    public static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
