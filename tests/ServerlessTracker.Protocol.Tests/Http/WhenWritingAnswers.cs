using System.Text;
using ServerlessTracker.Protocol.Bencode;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Protocol.Tests.Http;

public class WhenWritingAnswers
{
    private static readonly byte[] Peer4 = [192, 0, 2, 1, 0x1A, 0xE1];
    private static readonly byte[] Peer6 = [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x1A, 0xE2];
    private static readonly byte[] Id4 = Encoding.ASCII.GetBytes("-TR2940-aaaaaaaaaaaa");
    private static readonly byte[] Id6 = Encoding.ASCII.GetBytes("-TR2940-bbbbbbbbbbbb");

    [Fact]
    public void CompactAnswerHasGoldenBytes()
    {
        var bytes = Write(new AnnounceResponse
        {
            Interval = 1800,
            MinInterval = 900,
            Complete = 2,
            Incomplete = 3,
            Downloaded = 4,
            Peers4 = Peer4,
            Peers6 = Peer6,
            ExternalIp = [203, 0, 113, 9],
            Compact = true,
        });
        var expected = Concat("d8:completei2e10:downloadedi4e11:external ip4:"u8, [203, 0, 113, 9],
            "10:incompletei3e8:intervali1800e12:min intervali900e5:peers6:"u8, Peer4, "6:peers618:"u8, Peer6, "e"u8);
        Assert.Equal(expected, bytes);
        Assert.True(BencodeDecoder.TryDecode(bytes, out _, out _));
    }

    [Fact]
    public void DictionaryModelListsBothFamiliesWithIds()
    {
        var value = BencodeDecoder.Decode(Write(new AnnounceResponse
        {
            Interval = 60,
            MinInterval = 30,
            Peers4 = Peer4,
            Peers6 = Peer6,
            PeerIds4 = Id4,
            PeerIds6 = Id6,
            Compact = false,
        }));
        var peers = value["peers"]!.Items;
        Assert.Equal(2, peers.Count);
        Assert.Equal("192.0.2.1", peers[0]["ip"]!.Text);
        Assert.Equal(6881, peers[0]["port"]!.Integer);
        Assert.Equal(Id4, peers[0]["peer id"]!.Bytes);
        Assert.Equal("2001:db8::1", peers[1]["ip"]!.Text);
        Assert.Equal(6882, peers[1]["port"]!.Integer);
        Assert.Equal(Id6, peers[1]["peer id"]!.Bytes);
        Assert.Null(value["peers6"]);
    }

    [Fact]
    public void DictionaryModelLeavesIdsOutWhenAsked()
    {
        var value = BencodeDecoder.Decode(Write(new AnnounceResponse
        {
            Peers4 = Peer4,
            PeerIds4 = Id4,
            Compact = false,
            NoPeerId = true,
        }));
        Assert.Null(value["peers"]!.Items[0]["peer id"]);
    }

    [Fact]
    public void WarningMessageComesLast()
    {
        var bytes = Write(new AnnounceResponse { Compact = true, WarningMessage = "slow down"u8 });
        Assert.EndsWith("15:warning message9:slow downe", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void FailureCarriesRetryHints()
    {
        var buffer = new byte[FailureResponseWriter.MaxLength("busy"u8)];
        var length = FailureResponseWriter.Write("busy"u8, 60, 30, buffer);
        Assert.Equal("d14:failure reason4:busy8:intervali60e8:retry ini30ee", Encoding.ASCII.GetString(buffer, 0, length));
        length = FailureResponseWriter.Write("bad"u8, 0, 0, buffer);
        Assert.Equal("d14:failure reason3:bade", Encoding.ASCII.GetString(buffer, 0, length));
    }

    [Fact]
    public void ScrapeEntriesHaveGoldenBytes()
    {
        var hash = Enumerable.Repeat((byte)0xAB, 20).ToArray();
        var buffer = new byte[ScrapeResponseWriter.EnvelopeLength + ScrapeResponseWriter.MaxEntryLength];
        var writer = new BencodeWriter(buffer);
        ScrapeResponseWriter.WriteStart(ref writer);
        ScrapeResponseWriter.WriteEntry(ref writer, hash, long.MaxValue, long.MaxValue, long.MaxValue);
        ScrapeResponseWriter.WriteEnd(ref writer);
        var value = BencodeDecoder.Decode(writer.Written);
        var file = value["files"]!.Find(hash)!;
        Assert.Equal(long.MaxValue, file["complete"]!.Integer);
        Assert.Equal(long.MaxValue, file["downloaded"]!.Integer);
        Assert.Equal(long.MaxValue, file["incomplete"]!.Integer);
    }

    [Fact]
    public void MaxLengthBoundsTheLargestAnswer()
    {
        var peers4 = new byte[200 * 6];
        var ids = new byte[200 * 20];
        Array.Fill(peers4, (byte)255);
        var response = new AnnounceResponse
        {
            Interval = int.MaxValue,
            MinInterval = int.MaxValue,
            Complete = long.MaxValue,
            Incomplete = long.MaxValue,
            Downloaded = long.MaxValue,
            Peers4 = peers4,
            PeerIds4 = ids,
            ExternalIp = new byte[16],
            Compact = false,
        };
        var buffer = new byte[AnnounceResponseWriter.MaxLength(response)];
        var length = AnnounceResponseWriter.Write(response, buffer);
        Assert.True(BencodeDecoder.TryDecode(buffer.AsSpan(0, length), out _, out _));
    }

    private static byte[] Write(AnnounceResponse response)
    {
        var buffer = new byte[AnnounceResponseWriter.MaxLength(response)];
        return buffer[..AnnounceResponseWriter.Write(response, buffer)];
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Concat(ReadOnlySpan<byte> a, byte[] b, ReadOnlySpan<byte> c, byte[] d, ReadOnlySpan<byte> e, byte[] f, ReadOnlySpan<byte> g) =>
        Concat(a.ToArray(), b, c.ToArray(), d, e.ToArray(), f, g.ToArray());
}
