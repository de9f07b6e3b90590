using System.Buffers.Binary;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Peers;
using ServerlessTracker.Engine.Replication;

namespace ServerlessTracker.Sync.Wire;

/// <summary>The binary body of a sync CloudEvent: a batch of peer changes, compact and fixed-size.</summary>
/// <remarks>
/// Big-endian. Header: magic <c>STS1</c> (4 bytes), change count (uint32). Then per change, 84 bytes:
/// info-hash (20), peer id (20), address (16, IPv4 as ::ffff:a.b.c.d), port (2), state (1: 0 leecher,
/// 1 seeder, 2 stopped), flags (1: bit 0 = completed counted at origin), announce time in Unix ms (8),
/// uploaded delta (8), downloaded delta (8). Unknown flag bits are ignored; a wrong magic, a count that
/// does not match the length, or an unknown state refuses the whole batch.
/// </remarks>
public static class PeerUpdateBatchCodec
{
    public const int HeaderLength = 8;
    public const int ChangeLength = 84;
    private const uint Magic = 0x53545331; // "STS1"

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
            entry[59] = update.Completed ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt64BigEndian(entry[60..], update.AnnouncedAtMs);
            BinaryPrimitives.WriteInt64BigEndian(entry[68..], update.UploadedDelta);
            BinaryPrimitives.WriteInt64BigEndian(entry[76..], update.DownloadedDelta);
            offset += ChangeLength;
        }

        return buffer;
    }

    /// <summary>Decodes a batch; null with a reason when it is not one.</summary>
    public static PeerUpdate[]? Decode(ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
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

            updates[i] = new PeerUpdate(
                InfoHash.FromBytes(entry[..20]),
                PeerId.FromBytes(entry[20..40]),
                PeerAddress.FromBytes(entry[40..56]),
                BinaryPrimitives.ReadUInt16BigEndian(entry[56..]),
                (ReplicatedPeerState)entry[58],
                (entry[59] & 1) != 0,
                BinaryPrimitives.ReadInt64BigEndian(entry[60..]),
                BinaryPrimitives.ReadInt64BigEndian(entry[68..]),
                BinaryPrimitives.ReadInt64BigEndian(entry[76..]));
        }

        return updates;
    }
}
