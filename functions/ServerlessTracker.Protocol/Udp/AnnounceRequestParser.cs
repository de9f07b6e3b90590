using System.Buffers.Binary;

namespace ServerlessTracker.Protocol.Udp;

/// <summary>Reads a BEP 15 announce (layout in <see cref="AnnounceRequest"/>) and its BEP 41 URL data.</summary>
/// <remarks>
/// The caller has already checked the connection id, so failures here are answered with an error
/// packet. Counters are signed 64-bit on the wire: a negative <c>uploaded</c> or <c>downloaded</c> is no byte count
/// (an unsigned counter past 2^63 reads as one) and is refused with <see cref="UdpRequestError.InvalidCounter"/>, never
/// taken as zero, which would look like a restarted session and credit the next announce's whole counter again. A
/// negative <c>left</c> is kept as sent (clients without a torrent's metadata send -1): a leecher; no accounting uses it.
/// </remarks>
public static class AnnounceRequestParser
{
    /// <summary>Parses <paramref name="packet"/>; URL data (path and query) is copied to <paramref name="urlData"/>.</summary>
    public static UdpParseResult Parse(ReadOnlySpan<byte> packet, Span<byte> urlData, out AnnounceRequest request)
    {
        request = default;
        if (!UdpRequestHeader.TryRead(packet, out var header))
        {
            return UdpParseResult.Drop;
        }

        request.ConnectionId = header.ConnectionId;
        request.TransactionId = header.TransactionId;
        if (packet.Length < AnnounceRequest.Length)
        {
            return UdpParseResult.Fail(UdpRequestError.TooShort);
        }

        packet.Slice(16, 20).CopyTo(request.InfoHash);
        packet.Slice(36, 20).CopyTo(request.PeerId);
        request.Downloaded = BinaryPrimitives.ReadInt64BigEndian(packet[56..]);
        request.Left = BinaryPrimitives.ReadInt64BigEndian(packet[64..]);
        request.Uploaded = BinaryPrimitives.ReadInt64BigEndian(packet[72..]);
        var announceEvent = BinaryPrimitives.ReadUInt32BigEndian(packet[80..]);
        request.ClaimedIPv4 = BinaryPrimitives.ReadUInt32BigEndian(packet[84..]);
        request.Key = BinaryPrimitives.ReadUInt32BigEndian(packet[88..]);
        var numWant = BinaryPrimitives.ReadInt32BigEndian(packet[92..]);
        request.NumWant = numWant < 0 ? AnnounceRequest.DefaultNumWant : numWant;
        request.Port = BinaryPrimitives.ReadUInt16BigEndian(packet[96..]);

        if (announceEvent > (uint)AnnounceEvent.Stopped)
        {
            return UdpParseResult.Fail(UdpRequestError.InvalidEvent);
        }

        request.Event = (AnnounceEvent)announceEvent;
        if (request.Uploaded < 0 || request.Downloaded < 0)
        {
            return UdpParseResult.Fail(UdpRequestError.InvalidCounter);
        }

        if (request.Port == 0)
        {
            return UdpParseResult.Fail(UdpRequestError.InvalidPort);
        }

        var length = UrlDataOptions.Read(packet[AnnounceRequest.Length..], urlData);
        if (length < 0)
        {
            return UdpParseResult.Fail(UdpRequestError.UrlDataTooLong);
        }

        request.UrlDataLength = length;
        return UdpParseResult.Ok;
    }
}
