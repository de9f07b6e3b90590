using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Properties;

/// <summary>BEP 15 packets and BEP 41 options: any datagram is read without an exception, well-formed ones round-trip.</summary>
public class WhenFuzzingUdpPackets
{
    /// <summary>Random bytes, and datagrams with a plausible header (any action, the connect magic or not) and a random tail.</summary>
    private static Gen<byte[]> Datagrams() => Gen.OneOf(
        Generators.Bytes(0, 200),
        from action in Gen.Choose(0, 4)
        from magic in Gen.Elements(true, false)
        from tail in Generators.Bytes(0, 400)
        select Header(action, magic, tail));

    private static byte[] Header(int action, bool magic, byte[] tail)
    {
        var packet = new byte[UdpRequestHeader.Length + tail.Length];
        UdpRequestHeader.Write(packet, magic ? UdpRequestHeader.ProtocolId : 0x1234_5678_9ABCUL, (UdpAction)action, 77);
        tail.CopyTo(packet, UdpRequestHeader.Length);
        return packet;
    }

    [Property(MaxTest = 3000)]
    public Property EveryParserReadsAnyDatagramAsAValue() =>
        Prop.ForAll(Datagrams().ToArbitrary(), Gen.Choose(0, 300).ToArbitrary(), (packet, urlRoom) =>
        {
            var connect = ConnectRequest.Parse(packet, out _);
            var announce = AnnounceRequestParser.Parse(packet, new byte[urlRoom], out var request);
            var scrape = ScrapeRequestParser.Parse(packet, out _, out var hashes);
            return (connect.IsOk ? packet.Length >= 16 : connect.Outcome == UdpParseOutcome.Drop)
                && (!announce.IsOk || (request.Port != 0 && request.UrlDataLength <= urlRoom && packet.Length >= AnnounceRequest.Length))
                && (!scrape.IsOk || (hashes.Length % 20 == 0 && hashes.Length / 20 is >= 1 and <= ScrapeRequestParser.MaxInfoHashes))
                && (packet.Length >= UdpRequestHeader.Length || (announce.Outcome == UdpParseOutcome.Drop && scrape.Outcome == UdpParseOutcome.Drop));
        });

    [Property(MaxTest = 1000)]
    public Property AnAnnounceWithUrlDataRoundTrips() =>
        Prop.ForAll(Announces().ToArbitrary(), Generators.Bytes(0, 700).ToArbitrary(), (request, urlData) =>
        {
            var packet = new byte[AnnounceRequest.Length + urlData.Length + (urlData.Length / 255) + 8];
            var length = request.Write(packet);
            length += UrlDataOptions.Write(urlData, packet.AsSpan(length));
            var room = new byte[1024];
            var result = AnnounceRequestParser.Parse(packet.AsSpan(0, length), room, out var parsed);
            return result.IsOk
                && parsed.ConnectionId == request.ConnectionId && parsed.TransactionId == request.TransactionId
                && ((ReadOnlySpan<byte>)parsed.InfoHash).SequenceEqual(request.InfoHash) && ((ReadOnlySpan<byte>)parsed.PeerId).SequenceEqual(request.PeerId)
                && parsed.Downloaded == request.Downloaded && parsed.Left == request.Left && parsed.Uploaded == request.Uploaded
                && parsed.Event == request.Event && parsed.Key == request.Key && parsed.Port == request.Port && parsed.ClaimedIPv4 == request.ClaimedIPv4
                && parsed.NumWant == (request.NumWant < 0 ? AnnounceRequest.DefaultNumWant : request.NumWant)
                && room.AsSpan(0, parsed.UrlDataLength).SequenceEqual(urlData);
        });

    [Property(MaxTest = 2000)]
    public Property UrlDataOptionsNeverOverflowTheirDestination() =>
        Prop.ForAll(Generators.Bytes(0, 600).ToArbitrary(), Gen.Choose(0, 300).ToArbitrary(), (options, room) =>
        {
            var destination = new byte[room + 4];
            var length = UrlDataOptions.Read(options, destination.AsSpan(0, room));
            return length <= room && length >= -1 && destination.AsSpan(room).IndexOfAnyExcept((byte)0) < 0;
        });

    [Property(MaxTest = 500)]
    public Property AScrapeServesItsWholeHashesUpToTheCap() =>
        Prop.ForAll(Gen.Choose(1, 120).ToArbitrary(), Gen.Choose(0, 19).ToArbitrary(), (count, partial) =>
        {
            var hashes = new byte[count * 20];
            new Random(count).NextBytes(hashes);
            var packet = new byte[16 + hashes.Length + partial];
            ScrapeRequestParser.Write(packet, 5, 6, hashes);
            var result = ScrapeRequestParser.Parse(packet, out var transaction, out var parsed);
            var served = Math.Min(count, ScrapeRequestParser.MaxInfoHashes);
            return result.IsOk && transaction == 6 && parsed.SequenceEqual(hashes.AsSpan(0, served * 20))
                && ScrapeResponse.LengthOf(served) <= packet.Length;
        });

    [Fact]
    public void NoErrorPacketOutgrowsTheSmallestRequestThatCanEarnOne()
    {
        // A scrape of one hash (36 bytes) is the smallest request answered with an error after its id was checked.
        foreach (var error in Enum.GetValues<UdpRequestError>())
        {
            Assert.True(UdpRequestErrors.Message(error).Length <= UdpRequestErrors.MaxMessageLength, error.ToString());
            Assert.True(ErrorResponse.LengthOf(error) <= UdpRequestHeader.Length + 20, error.ToString());
        }

        Assert.Equal(UdpRequestHeader.Length, ConnectResponse.Length);
    }

    [Property(MaxTest = 2000)]
    public Property AnswerReadersTakeAnyBytes() =>
        Prop.ForAll(Generators.Bytes(0, 120).ToArbitrary(), packet =>
        {
            var scraped = ScrapeResponse.TryRead(packet, out _, out var entries);
            for (var i = 0; scraped && (i + 1) * ScrapeResponse.EntryLength <= entries.Length; i++)
            {
                ScrapeResponse.ReadEntry(entries, i);
            }

            var announced = AnnounceResponse.TryRead(packet, out _, out _, out _, out _, out var peers);
            return (!announced || peers.Length == packet.Length - AnnounceResponse.HeaderLength)
                & (ConnectResponse.TryRead(packet, out _, out _) | ErrorResponse.TryRead(packet, out _, out _) | true);
        });

    private static Gen<AnnounceRequest> Announces() =>
        from id in Gen.Choose(int.MinValue, int.MaxValue)
        from transaction in Gen.Choose(int.MinValue, int.MaxValue)
        from hash in Generators.Twenty
        from peer in Generators.Twenty
        from counters in Gen.ArrayOf(Gen.Choose(int.MinValue, int.MaxValue), 3)
        from announceEvent in Gen.Choose(0, 3)
        from key in Gen.Choose(int.MinValue, int.MaxValue)
        from numWant in Gen.Choose(-3, 500)
        from port in Gen.Choose(1, 65535)
        from claimed in Gen.Choose(int.MinValue, int.MaxValue)
        select Make(id, transaction, hash, peer, counters, announceEvent, key, numWant, port, claimed);

    private static AnnounceRequest Make(int id, int transaction, byte[] hash, byte[] peer, int[] counters, int announceEvent, int key, int numWant, int port, int claimed)
    {
        var request = new AnnounceRequest
        {
            ConnectionId = BinaryPrimitives.ReverseEndianness((ulong)id) | (uint)id,
            TransactionId = (uint)transaction,
            Downloaded = Math.Abs(counters[0] * 4096L),
            Left = counters[1] * 7L,
            Uploaded = Math.Abs((long)counters[2]),
            Event = (AnnounceEvent)announceEvent,
            Key = (uint)key,
            NumWant = numWant,
            Port = (ushort)port,
            ClaimedIPv4 = (uint)claimed,
        };
        hash.CopyTo(request.InfoHash);
        peer.CopyTo(request.PeerId);
        return request;
    }
}
