using ServerlessTracker.Protocol.Http;

namespace ServerlessTracker.Protocol.Tests.Http;

public class WhenPercentDecoding
{
    [Fact]
    public void EveryByteRoundTrips()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = new byte[PercentEncoding.EncodedLength(all)];
        PercentEncoding.Encode(all, encoded);
        var decoded = new byte[256];
        Assert.True(PercentEncoding.TryDecode(encoded, decoded, out var written));
        Assert.Equal(256, written);
        Assert.Equal(all, decoded);
    }

    [Theory]
    [InlineData("%ff%FF%Ab", new byte[] { 0xFF, 0xFF, 0xAB })]
    [InlineData("a+b", new byte[] { (byte)'a', (byte)' ', (byte)'b' })]
    [InlineData("", new byte[0])]
    public void DecodesEscapesInEitherCase(string input, byte[] expected)
    {
        var output = new byte[16];
        Assert.True(PercentEncoding.TryDecode(Query.Ascii(input), output, out var written));
        Assert.Equal(expected, output[..written]);
    }

    [Theory]
    [InlineData("%")]
    [InlineData("%4")]
    [InlineData("%G1")]
    [InlineData("%1G")]
    [InlineData("ab%")]
    [InlineData("%%41")]
    public void RefusesBrokenEscapes(string input) =>
        Assert.False(PercentEncoding.TryDecode(Query.Ascii(input), new byte[16], out _));

    [Fact]
    public void RefusesOutputThatDoesNotFit() =>
        Assert.False(PercentEncoding.TryDecode(Query.Ascii("abc"), new byte[2], out _));
}
