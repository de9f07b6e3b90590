using System.Text;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Tests.Bencode;

public class WhenDecodingBencode
{
    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i-3e", -3L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    public void ReadsCanonicalIntegers(string input, long expected) =>
        Assert.Equal(expected, BencodeDecoder.Decode(Encoding.ASCII.GetBytes(input)).Integer);

    [Theory]
    [InlineData("", "end of input")]
    [InlineData("i-0e", "non-canonical")]
    [InlineData("i03e", "non-canonical")]
    [InlineData("ie", "malformed")]
    [InlineData("i1", "malformed")]
    [InlineData("i9223372036854775808e", "overflow")]
    [InlineData("5:abc", "out of range")]
    [InlineData("-1:a", "unexpected byte")]
    [InlineData("01:a", "non-canonical")]
    [InlineData("l", "unterminated list")]
    [InlineData("d", "unterminated dictionary")]
    [InlineData("di1e1:ae", "not a string")]
    [InlineData("d1:b0:1:a0:e", "not sorted")]
    [InlineData("d1:a0:1:a0:e", "not sorted")]
    [InlineData("i1ei2e", "trailing")]
    [InlineData("x", "unexpected byte")]
    public void RefusesMalformedInputWithAReason(string input, string reason)
    {
        Assert.False(BencodeDecoder.TryDecode(Encoding.ASCII.GetBytes(input), out var value, out var error));
        Assert.Null(value);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void RefusesNestingBeyondTheLimit()
    {
        var deep = new string('l', BencodeDecoder.MaxDepth + 2) + new string('e', BencodeDecoder.MaxDepth + 2);
        Assert.False(BencodeDecoder.TryDecode(Encoding.ASCII.GetBytes(deep), out _, out var error));
        Assert.Contains("too deep", error);
    }

    [Fact]
    public void KeepsBinaryStringsExact()
    {
        var input = new byte[] { (byte)'2', (byte)':', 0x80, 0xFF };
        Assert.Equal(new byte[] { 0x80, 0xFF }, BencodeDecoder.Decode(input).Bytes);
    }

    [Fact]
    public void NeverThrowsOnRandomBytes()
    {
        var random = new Random(1234);
        var buffer = new byte[64];
        for (var i = 0; i < 20_000; i++)
        {
            random.NextBytes(buffer);
            var length = random.Next(buffer.Length);
            // Bias towards bencode-looking input so the decoder gets deep.
            for (var j = 0; j < length; j++)
            {
                if (random.Next(3) == 0)
                {
                    buffer[j] = "ilde0123456789:-"u8[random.Next(16)];
                }
            }

            BencodeDecoder.TryDecode(buffer.AsSpan(0, length), out _, out _);
        }
    }
}
