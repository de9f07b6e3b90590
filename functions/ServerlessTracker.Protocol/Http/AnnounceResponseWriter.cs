using System.Buffers.Binary;
using System.Net;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Http;

/// <summary>Writes the bencoded announce answer (BEP 3 dictionary model, BEP 23 compact, BEP 7 peers6, BEP 24).</summary>
/// <remarks>
/// Keys in raw byte order: <c>complete</c>, <c>downloaded</c>, <c>external ip</c>, <c>incomplete</c>,
/// <c>interval</c>, <c>min interval</c>, <c>peers</c>, <c>peers6</c>, <c>warning message</c>.
/// Compact: <c>peers</c> is a string of 6-byte IPv4 entries and <c>peers6</c> of 18-byte IPv6 entries.
/// Dictionary model (<c>compact=0</c>): <c>peers</c> is a list of <c>{ip, peer id, port}</c> holding both
/// families, <c>peer id</c> left out when <c>no_peer_id=1</c>; no <c>peers6</c>.
/// </remarks>
public static class AnnounceResponseWriter
{
    public const int CompactPeer4Length = 6;
    public const int CompactPeer6Length = 18;
    private const int FixedOverhead = 256;
    private const int MaxDictionaryPeerLength = 112;

    /// <summary>An upper bound on the bytes <see cref="Write"/> produces for <paramref name="response"/>.</summary>
    public static int MaxLength(scoped in AnnounceResponse response)
    {
        var peers = (response.Peers4.Length / CompactPeer4Length) + (response.Peers6.Length / CompactPeer6Length);
        var body = response.Compact
            ? response.Peers4.Length + response.Peers6.Length + 24
            : peers * MaxDictionaryPeerLength;
        return FixedOverhead + body + response.WarningMessage.Length;
    }

    public static int Write(scoped in AnnounceResponse response, Span<byte> destination)
    {
        var writer = new BencodeWriter(destination);
        writer.WriteDictionaryStart();
        writer.WriteKeyInteger("complete"u8, response.Complete);
        writer.WriteKeyInteger("downloaded"u8, response.Downloaded);
        if (!response.ExternalIp.IsEmpty)
        {
            writer.WriteBytes("external ip"u8);
            writer.WriteBytes(response.ExternalIp);
        }

        writer.WriteKeyInteger("incomplete"u8, response.Incomplete);
        writer.WriteKeyInteger("interval"u8, response.Interval);
        writer.WriteKeyInteger("min interval"u8, response.MinInterval);
        writer.WriteBytes("peers"u8);
        if (response.Compact)
        {
            writer.WriteBytes(response.Peers4);
            writer.WriteBytes("peers6"u8);
            writer.WriteBytes(response.Peers6);
        }
        else
        {
            WriteDictionaryPeers(ref writer, response);
        }

        if (!response.WarningMessage.IsEmpty)
        {
            writer.WriteBytes("warning message"u8);
            writer.WriteBytes(response.WarningMessage);
        }

        writer.WriteEnd();
        return writer.BytesWritten;
    }

    private static void WriteDictionaryPeers(ref BencodeWriter writer, scoped in AnnounceResponse response)
    {
        Span<byte> text = stackalloc byte[48];
        var index = 0;
        writer.WriteListStart();
        for (var offset = 0; offset + CompactPeer4Length <= response.Peers4.Length; offset += CompactPeer4Length, index++)
        {
            var entry = response.Peers4.Slice(offset, CompactPeer4Length);
            var length = FormatIPv4(entry[..4], text);
            WriteDictionaryPeer(ref writer, text[..length], PeerIdAt(response.PeerIds4, response.NoPeerId, index), BinaryPrimitives.ReadUInt16BigEndian(entry[4..]));
        }

        index = 0;
        for (var offset = 0; offset + CompactPeer6Length <= response.Peers6.Length; offset += CompactPeer6Length, index++)
        {
            var entry = response.Peers6.Slice(offset, CompactPeer6Length);
            new IPAddress(entry[..16]).TryFormat(text, out int length);
            WriteDictionaryPeer(ref writer, text[..length], PeerIdAt(response.PeerIds6, response.NoPeerId, index), BinaryPrimitives.ReadUInt16BigEndian(entry[16..]));
        }

        writer.WriteEnd();
    }

    private static ReadOnlySpan<byte> PeerIdAt(ReadOnlySpan<byte> ids, bool noPeerId, int index)
    {
        var offset = index * Bytes20.Length;
        return noPeerId || offset + Bytes20.Length > ids.Length ? default : ids.Slice(offset, Bytes20.Length);
    }

    private static void WriteDictionaryPeer(ref BencodeWriter writer, scoped ReadOnlySpan<byte> ip, scoped ReadOnlySpan<byte> peerId, ushort port)
    {
        writer.WriteDictionaryStart();
        writer.WriteBytes("ip"u8);
        writer.WriteBytes(ip);
        if (!peerId.IsEmpty)
        {
            writer.WriteBytes("peer id"u8);
            writer.WriteBytes(peerId);
        }

        writer.WriteKeyInteger("port"u8, port);
        writer.WriteEnd();
    }

    private static int FormatIPv4(ReadOnlySpan<byte> address, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < 4; i++)
        {
            if (i > 0)
            {
                destination[written++] = (byte)'.';
            }

            address[i].TryFormat(destination[written..], out var digits);
            written += digits;
        }

        return written;
    }
}
