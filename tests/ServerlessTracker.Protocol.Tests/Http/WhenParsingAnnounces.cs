using System.Net;
using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Protocol.Tests.Http;

public class WhenParsingAnnounces
{
    private static readonly byte[] InfoHash = Query.Hash(0xF0);
    private static readonly byte[] PeerId = Query.Hash(0x80);

    [Fact]
    public void ReadsEveryField()
    {
        var query = Query.Announce(InfoHash, PeerId, "port=51413&uploaded=10&downloaded=20&left=30&event=started&numwant=80&compact=0&no_peer_id=1&key=1a2B3c4D&trackerid=x&unknown=1");
        Assert.Equal(HttpTrackerError.None, AnnounceRequestParser.Parse(query, out var request));
        Assert.Equal(InfoHash, ((ReadOnlySpan<byte>)request.InfoHash).ToArray());
        Assert.Equal(PeerId, ((ReadOnlySpan<byte>)request.PeerId).ToArray());
        Assert.Equal(51413, request.Port);
        Assert.Equal(10, request.Uploaded);
        Assert.Equal(20, request.Downloaded);
        Assert.Equal(30, request.Left);
        Assert.Equal(AnnounceEvent.Started, request.Event);
        Assert.Equal(80, request.NumWant);
        Assert.False(request.Compact);
        Assert.True(request.NoPeerId);
        Assert.True(request.HasKey);
        Assert.Equal(0x1A2B3C4Du, request.Key);
        Assert.Null(request.ClaimedAddress);
    }

    [Fact]
    public void DefaultsToCompactWithTheDefaultNumWant()
    {
        Assert.Equal(HttpTrackerError.None, AnnounceRequestParser.Parse(Query.Announce(InfoHash, PeerId), out var request));
        Assert.True(request.Compact);
        Assert.Equal(AnnounceRequest.DefaultNumWant, request.NumWant);
        Assert.Equal(AnnounceEvent.None, request.Event);
        Assert.False(request.HasKey);
    }

    [Fact]
    public void KeepsHashBytesThatAreNotUtf8()
    {
        var hash = Enumerable.Repeat((byte)0xC3, 19).Append((byte)0x28).ToArray();
        Assert.Equal(HttpTrackerError.None, AnnounceRequestParser.Parse(Query.Announce(hash, PeerId), out var request));
        Assert.Equal(hash, ((ReadOnlySpan<byte>)request.InfoHash).ToArray());
    }

    [Fact]
    public void TwoHashesDifferingInOneInvalidUtf8ByteStayDistinct()
    {
        var first = Enumerable.Repeat((byte)0xFF, 20).ToArray();
        var second = first.ToArray();
        second[7] = 0xFE;
        AnnounceRequestParser.Parse(Query.Announce(first, PeerId), out var a);
        AnnounceRequestParser.Parse(Query.Announce(second, PeerId), out var b);
        Assert.False(((ReadOnlySpan<byte>)a.InfoHash).SequenceEqual(b.InfoHash));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("empty", "")]
    [InlineData("paused", "")]
    [InlineData("started", "Started")]
    [InlineData("completed", "Completed")]
    [InlineData("stopped", "Stopped")]
    public void ReadsEvents(string value, string expected)
    {
        Assert.Equal(HttpTrackerError.None, AnnounceRequestParser.Parse(Query.Announce(InfoHash, PeerId, $"port=1&left=0&event={value}"), out var request));
        Assert.Equal(expected == "" ? AnnounceEvent.None : Enum.Parse<AnnounceEvent>(expected), request.Event);
    }

    [Theory]
    [InlineData("?peer_id=-TR2940-abcdefghijkl&port=1&left=0", HttpTrackerError.MissingInfoHash)]
    [InlineData("?info_hash=abcdefghijklmnopqrs&peer_id=-TR2940-abcdefghijkl&port=1&left=0", HttpTrackerError.InvalidInfoHash)]
    [InlineData("?info_hash=abcdefghijklmnopqrstu&peer_id=-TR2940-abcdefghijkl&port=1&left=0", HttpTrackerError.InvalidInfoHash)]
    [InlineData("?info_hash=abcdefghijklmnopqrs%&peer_id=-TR2940-abcdefghijkl&port=1&left=0", HttpTrackerError.InvalidEncoding)]
    [InlineData("?info_hash=abcdefghijklmnopqrs%zz&peer_id=-TR2940-abcdefghijkl&port=1&left=0", HttpTrackerError.InvalidEncoding)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0", HttpTrackerError.DuplicateInfoHash)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&port=1&left=0", HttpTrackerError.MissingPeerId)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=short&port=1&left=0", HttpTrackerError.InvalidPeerId)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&left=0", HttpTrackerError.MissingPort)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=0&left=0", HttpTrackerError.InvalidPort)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=65536&left=0", HttpTrackerError.InvalidPort)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=-1&left=0", HttpTrackerError.InvalidPort)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=80a&left=0", HttpTrackerError.InvalidPort)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1", HttpTrackerError.MissingLeft)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=-5", HttpTrackerError.InvalidNumber)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=99999999999999999999", HttpTrackerError.InvalidNumber)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0&uploaded=1e5", HttpTrackerError.InvalidNumber)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0&event=begun", HttpTrackerError.InvalidEvent)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0&numwant=lots", HttpTrackerError.InvalidNumWant)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0&numwant=99999999999", HttpTrackerError.InvalidNumWant)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0&ip=not-an-ip", HttpTrackerError.InvalidAddress)]
    [InlineData("?info_hash=abcdefghijklmnopqrst&peer_id=-TR2940-abcdefghijkl&port=1&left=0&key=%zz", HttpTrackerError.InvalidEncoding)]
    [InlineData("", HttpTrackerError.MissingInfoHash)]
    [InlineData("?&&&=&", HttpTrackerError.MissingInfoHash)]
    public void RefusesBadInput(string query, HttpTrackerError expected) =>
        Assert.Equal(expected, AnnounceRequestParser.Parse(Query.Ascii(query), out _));

    [Theory]
    [InlineData("uploaded", "9223372036854775808")]
    [InlineData("downloaded", "9223372036854775808")]
    [InlineData("left", "9223372036854775808")]
    [InlineData("uploaded", "9999999999999999999")]
    [InlineData("downloaded", "18446744073709551615")]
    [InlineData("left", "9300000000000000000")]
    public void RefusesACounterOfTwoToTheSixtyThreeOrMoreRatherThanWrappingIt(string name, string value)
    {
        var query = Query.Announce(InfoHash, PeerId, $"port=1&left=0&{name}={value}");

        Assert.Equal(HttpTrackerError.InvalidNumber, AnnounceRequestParser.Parse(query, out var request));
        Assert.True(request.Uploaded >= 0 && request.Downloaded >= 0 && request.Left >= 0);
    }

    [Fact]
    public void TakesTheLargestCounterThatFitsInSixtyThreeBits()
    {
        var query = Query.Announce(InfoHash, PeerId, "port=1&left=9223372036854775807&uploaded=9223372036854775807&downloaded=1000000000000000000");

        Assert.Equal(HttpTrackerError.None, AnnounceRequestParser.Parse(query, out var request));
        Assert.Equal(long.MaxValue, request.Left);
        Assert.Equal(long.MaxValue, request.Uploaded);
        Assert.Equal(1_000_000_000_000_000_000, request.Downloaded);
    }

    [Theory]
    [InlineData("-1", AnnounceRequest.DefaultNumWant)]
    [InlineData("", AnnounceRequest.DefaultNumWant)]
    [InlineData("0", 0)]
    [InlineData("100000", 100000)]
    public void ReadsNumWant(string value, int expected)
    {
        AnnounceRequestParser.Parse(Query.Announce(InfoHash, PeerId, $"port=1&left=0&numwant={value}"), out var request);
        Assert.Equal(expected, request.NumWant);
    }

    [Theory]
    [InlineData("ip=192.0.2.7", "192.0.2.7")]
    [InlineData("ipv4=192.0.2.7:6881", "192.0.2.7")]
    [InlineData("ipv6=2001:db8::1", "2001:db8::1")]
    [InlineData("ipv6=%5B2001:db8::1%5D:6881", "2001:db8::1")]
    public void ReadsClaimedAddresses(string parameter, string expected)
    {
        Assert.Equal(HttpTrackerError.None, AnnounceRequestParser.Parse(Query.Announce(InfoHash, PeerId, $"port=1&left=0&{parameter}"), out var request));
        Assert.Equal(IPAddress.Parse(expected), request.ClaimedAddress);
    }

    [Fact]
    public void HashesOpaqueKeys()
    {
        AnnounceRequestParser.Parse(Query.Announce(InfoHash, PeerId, "port=1&left=0&key=not-hex-at-all"), out var a);
        AnnounceRequestParser.Parse(Query.Announce(InfoHash, PeerId, "port=1&left=0&key=not-hex-at-alm"), out var b);
        Assert.True(a.HasKey);
        Assert.NotEqual(a.Key, b.Key);
    }

    [Fact]
    public void NeverThrowsOnRandomQueries()
    {
        var random = new Random(99);
        var alphabet = "info_hash=peer_id&port=left%0123456789abcdefABCDEF+-=&numwant=event=ip=key="u8.ToArray();
        var buffer = new byte[300];
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(buffer.Length);
            for (var j = 0; j < length; j++)
            {
                buffer[j] = random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)];
            }

            AnnounceRequestParser.Parse(buffer.AsSpan(0, length), out _);
        }
    }
}
