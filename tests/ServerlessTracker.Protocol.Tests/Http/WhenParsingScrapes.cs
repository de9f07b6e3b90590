using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Protocol.Tests.Http;

public class WhenParsingScrapes
{
    [Fact]
    public void ReadsRepeatedInfoHashes()
    {
        var a = Query.Hash(1);
        var b = Query.Hash(200);
        var hashes = new Bytes20[4];
        var query = Query.Ascii($"?info_hash={Query.Encode(a)}&other=1&info_hash={Query.Encode(b)}");
        Assert.Equal(HttpTrackerError.None, ScrapeRequestParser.Parse(query, hashes, out var count));
        Assert.Equal(2, count);
        Assert.Equal(a, ((ReadOnlySpan<byte>)hashes[0]).ToArray());
        Assert.Equal(b, ((ReadOnlySpan<byte>)hashes[1]).ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("?")]
    [InlineData("?foo=bar")]
    public void NoHashAsksForAFullScrape(string query)
    {
        Assert.Equal(HttpTrackerError.None, ScrapeRequestParser.Parse(Query.Ascii(query), new Bytes20[2], out var count));
        Assert.Equal(0, count);
    }

    [Fact]
    public void RefusesMoreHashesThanAllowed()
    {
        var one = Query.Encode(Query.Hash(3));
        var query = Query.Ascii($"?info_hash={one}&info_hash={one}&info_hash={one}");
        Assert.Equal(HttpTrackerError.TooManyInfoHashes, ScrapeRequestParser.Parse(query, new Bytes20[2], out _));
    }

    [Theory]
    [InlineData("?info_hash=short", HttpTrackerError.InvalidInfoHash)]
    [InlineData("?info_hash=%GGbcdefghijklmnopqrs", HttpTrackerError.InvalidEncoding)]
    public void RefusesBadHashes(string query, HttpTrackerError expected) =>
        Assert.Equal(expected, ScrapeRequestParser.Parse(Query.Ascii(query), new Bytes20[2], out _));
}
