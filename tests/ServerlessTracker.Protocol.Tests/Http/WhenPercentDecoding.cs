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
    public void EveryEscapeIsDecodedOrRefusedAsHexDigitsSay()
    {
        // All 65,536 pairs after a '%': exactly the pairs of hex digits (either case) decode, to their value.
        const string Digits = "0123456789abcdefABCDEF";
        var input = new byte[3];
        var output = new byte[1];
        input[0] = (byte)'%';
        for (var high = 0; high < 256; high++)
        {
            for (var low = 0; low < 256; low++)
            {
                input[1] = (byte)high;
                input[2] = (byte)low;
                var hex = Digits.Contains((char)high, StringComparison.Ordinal) && Digits.Contains((char)low, StringComparison.Ordinal);
                Assert.Equal(hex, PercentEncoding.TryDecode(input, output, out var written));
                if (hex)
                {
                    Assert.Equal(1, written);
                    Assert.Equal(Convert.FromHexString($"{(char)high}{(char)low}")[0], output[0]);
                }
            }
        }
    }

    [Fact]
    public void RefusesOutputThatDoesNotFit() =>
        Assert.False(PercentEncoding.TryDecode(Query.Ascii("abc"), new byte[2], out _));
}
