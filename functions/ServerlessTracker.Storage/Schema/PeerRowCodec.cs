using System.Buffers.Binary;
using ServerlessTracker.Engine.Peers;

namespace ServerlessTracker.Storage.Schema;

/// <summary>The compact binary form of a peer in its row's <c>D</c> property.</summary>
/// <remarks>
/// Big-endian: [0] format version; [1..17) address, 16 bytes (IPv4 as ::ffff:a.b.c.d); [17..19) port;
/// [19] flags (<see cref="PeerFlags"/>); [20..24) key; [24..32) uploaded; [32..40) downloaded — 40 bytes, version 1;
/// version 2 adds [40..44) the tag of the passkey the peer announced with (<see cref="PeerRecord.Owner"/>), and is written
/// only for such a peer, so an open tracker's rows stay version 1 (readable by builds before version 2).
/// The peer id is the row key and the last-seen time the <c>T</c> property, so neither is repeated here.
/// </remarks>
internal static class PeerRowCodec
{
    public const int Length = 40;
    public const int OwnedLength = 44;
    private const byte Version = 1;
    private const byte OwnedVersion = 2;

    public static byte[] Encode(in PeerRecord peer)
    {
        var bytes = new byte[peer.Owner == 0 ? Length : OwnedLength];
        bytes[0] = peer.Owner == 0 ? Version : OwnedVersion;
        peer.Address.Write16(bytes.AsSpan(1, 16));
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(17), peer.Port);
        bytes[19] = (byte)peer.Flags;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), peer.Key);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(24), peer.Uploaded);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(32), peer.Downloaded);
        if (peer.Owner != 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(40), peer.Owner);
        }

        return bytes;
    }

    /// <summary>Fills everything but the id and last-seen time; false for a value this version cannot read.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, ref PeerRecord peer)
    {
        if (bytes.Length < Length || bytes[0] is not (Version or OwnedVersion) || (bytes[0] == OwnedVersion && bytes.Length < OwnedLength))
        {
            return false;
        }

        peer.Address = PeerAddress.FromBytes(bytes.Slice(1, 16));
        peer.Port = BinaryPrimitives.ReadUInt16BigEndian(bytes[17..]);
        peer.Flags = (PeerFlags)bytes[19];
        peer.Key = BinaryPrimitives.ReadUInt32BigEndian(bytes[20..]);
        peer.Uploaded = BinaryPrimitives.ReadInt64BigEndian(bytes[24..]);
        peer.Downloaded = BinaryPrimitives.ReadInt64BigEndian(bytes[32..]);
        peer.Owner = bytes[0] == OwnedVersion ? BinaryPrimitives.ReadUInt32BigEndian(bytes[40..]) : 0;
        return true;
    }
}
