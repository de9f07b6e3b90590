using System.Text;
using ServerlessTracker.Protocol.Bencode;

namespace ServerlessTracker.Protocol.Tests.Bencode;

public class WhenWritingBencode
{
    [Theory]
    [InlineData(0L, "i0e")]
    [InlineData(42L, "i42e")]
    [InlineData(-7L, "i-7e")]
    [InlineData(long.MaxValue, "i9223372036854775807e")]
    [InlineData(long.MinValue, "i-9223372036854775808e")]
    public void WritesIntegersInCanonicalForm(long value, string expected)
    {
        Span<byte> buffer = stackalloc byte[BencodeWriter.MaxIntegerLength];
        var writer = new BencodeWriter(buffer);
        writer.WriteInteger(value);
        Assert.Equal(expected, Encoding.ASCII.GetString(writer.Written));
    }

    [Fact]
    public void WritesBinaryStringsWithTheirLength()
    {
        Span<byte> buffer = stackalloc byte[32];
        var writer = new BencodeWriter(buffer);
        writer.WriteBytes([0x00, 0xFF, 0x3A]);
        Assert.Equal(new byte[] { (byte)'3', (byte)':', 0x00, 0xFF, 0x3A }, writer.Written.ToArray());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(9L)]
    [InlineData(10L)]
    [InlineData(-1L)]
    [InlineData(-10L)]
    [InlineData(long.MaxValue)]
    [InlineData(long.MinValue)]
    public void CountsDigitsLikeTheFormatter(long value) =>
        Assert.Equal(value.ToString(System.Globalization.CultureInfo.InvariantCulture).Length, BencodeWriter.DigitCount(value));

    [Fact]
    public void NestedStructuresDecodeBack()
    {
        Span<byte> buffer = stackalloc byte[64];
        var writer = new BencodeWriter(buffer);
        writer.WriteDictionaryStart();
        writer.WriteKeyInteger("a"u8, 1);
        writer.WriteBytes("b"u8);
        writer.WriteListStart();
        writer.WriteBytes("x"u8);
        writer.WriteInteger(-2);
        writer.WriteEnd();
        writer.WriteEnd();

        var value = BencodeDecoder.Decode(writer.Written);
        Assert.Equal(1, value["a"]!.Integer);
        Assert.Equal("x", value["b"]!.Items[0].Text);
        Assert.Equal(-2, value["b"]!.Items[1].Integer);
    }
}
