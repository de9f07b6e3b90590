using System.Buffers.Binary;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Sync.Wire;

/// <summary>The binary body of a sync CloudEvent: a batch of peer changes, compact and fixed-size.</summary>
/// <remarks>
/// Format 2. Big-endian. Header: magic <c>STS2</c> (4 bytes), change count (uint32). Then per change, 88 bytes:
/// <code>
/// offset size field
///  0    20   info-hash
/// 20    20   peer id
/// 40    16   address (IPv4 as ::ffff:a.b.c.d)
/// 56     2   port
/// 58     1   state: 0 leecher, 1 seeder, 2 stopped
/// 59     1   flags: bit 0 completed counted at origin, bit 1 the announce carried a key; other bits ignored
/// 60     8   announce time, Unix ms at the origin
/// 68     8   uploaded: the session's counter as of the announce (not a delta), 0 to 2^63-1; 0 unless accounted
/// 76     8   downloaded: the same
/// 84     4   key (0 when bit 1 is clear)
/// </code>
/// The key travels as the client sent it (a 32-bit value: a hash of it could be reversed by trying every value, so it
/// would hide nothing); events go only to this deployment's regions, over TLS, authenticated by the receiver key.
/// A wrong magic, a count that does not match the length, an unknown state or a negative counter refuses the whole batch.
/// Format 1 (<c>STS1</c>, 84 bytes per change: no key, per-announce deltas instead of the session's counters) is refused
/// with its own reason: a change without the key would let a region replace a keyed peer, and deltas cannot be the base
/// of the next one. While regions are upgraded one by one, the changes of a region still on format 1 are not applied
/// elsewhere (counted as invalid events); its peers re-announce every interval, which heals it once it runs format 2.
/// </remarks>
public static class PeerUpdateBatchCodec
{
    public const int HeaderLength = 8;
    public const int ChangeLength = 88;
    private const uint Magic = 0x53545332; // "STS2"
    private const uint MagicFormat1 = 0x53545331; // "STS1"
    private const byte CompletedFlag = 1;
    private const byte HasKeyFlag = 2;

    /// <summary>The reason a format 1 batch is refused.</summary>
    public const string Format1Refused = "format 1 (STS1) batch refused: it carries no keys and no session counters; upgrade the sending region";

    public static int Length(int count) => HeaderLength + (count * ChangeLength);

    public static byte[] Encode(ReadOnlySpan<PeerUpdate> updates)
    {
        var buffer = new byte[Length(updates.Length)];
        BinaryPrimitives.WriteUInt32BigEndian(buffer, Magic);
        BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), (uint)updates.Length);
        var offset = HeaderLength;
        foreach (ref readonly var update in updates)
        {
            var entry = buffer.AsSpan(offset, ChangeLength);
            update.InfoHash.CopyTo(entry);
            update.PeerId.CopyTo(entry[20..]);
            update.Address.Write16(entry[40..]);
            BinaryPrimitives.WriteUInt16BigEndian(entry[56..], update.Port);
            entry[58] = (byte)update.State;
            entry[59] = (byte)((update.Completed ? CompletedFlag : 0) | (update.HasKey ? HasKeyFlag : 0));
            BinaryPrimitives.WriteInt64BigEndian(entry[60..], update.AnnouncedAtMs);
            BinaryPrimitives.WriteInt64BigEndian(entry[68..], Math.Max(update.Uploaded, 0));
            BinaryPrimitives.WriteInt64BigEndian(entry[76..], Math.Max(update.Downloaded, 0));
            BinaryPrimitives.WriteUInt32BigEndian(entry[84..], update.HasKey ? update.Key : 0);
            offset += ChangeLength;
        }

        return buffer;
    }

    /// <summary>Decodes a batch; null with a reason when it is not one.</summary>
    public static PeerUpdate[]? Decode(ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
        if (data.Length >= HeaderLength && BinaryPrimitives.ReadUInt32BigEndian(data) == MagicFormat1)
        {
            error = Format1Refused;
            return null;
        }

        if (data.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(data) != Magic)
        {
            error = "not a peer change batch";
            return null;
        }

        var count = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        if (count > (uint)((data.Length - HeaderLength) / ChangeLength) || data.Length != Length((int)count))
        {
            error = "change count does not match the length";
            return null;
        }

        var updates = new PeerUpdate[count];
        for (var i = 0; i < updates.Length; i++)
        {
            var entry = data.Slice(HeaderLength + (i * ChangeLength), ChangeLength);
            if (entry[58] > (byte)ReplicatedPeerState.Stopped)
            {
                error = $"unknown peer state {entry[58]}";
                return null;
            }

            var uploaded = BinaryPrimitives.ReadInt64BigEndian(entry[68..]);
            var downloaded = BinaryPrimitives.ReadInt64BigEndian(entry[76..]);
            if (uploaded < 0 || downloaded < 0)
            {
                error = "negative session counter";
                return null;
            }

            var hasKey = (entry[59] & HasKeyFlag) != 0;
            updates[i] = new PeerUpdate(
                InfoHash.FromBytes(entry[..20]),
                PeerId.FromBytes(entry[20..40]),
                PeerAddress.FromBytes(entry[40..56]),
                BinaryPrimitives.ReadUInt16BigEndian(entry[56..]),
                (ReplicatedPeerState)entry[58],
                (entry[59] & CompletedFlag) != 0,
                BinaryPrimitives.ReadInt64BigEndian(entry[60..]),
                uploaded,
                downloaded,
                hasKey ? BinaryPrimitives.ReadUInt32BigEndian(entry[84..]) : 0,
                hasKey);
        }

        return updates;
    }
}
