using System.Text;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenReadingUrlDataOptions
{
    private static string Read(string hex, int capacity = 600)
    {
        var destination = new byte[capacity];
        var length = UrlDataOptions.Read(Convert.FromHexString(hex), destination);
        return length < 0 ? "<too long>" : Encoding.ASCII.GetString(destination, 0, length);
    }

    [Fact]
    public void ReturnsNothingWithoutOptions() => Assert.Equal("", Read(""));

    [Fact]
    public void ConcatenatesUrlDataInOrder() => Assert.Equal("/ab/c", Read("02032F6162" + "02022F63"));

    [Fact]
    public void SkipsNops() => Assert.Equal("/a", Read("0101" + "02022F61" + "01"));

    [Fact]
    public void StopsAtEndOfOptions() => Assert.Equal("/a", Read("02022F61" + "00" + "02022F62"));

    [Fact]
    public void SkipsUnknownOptionsByTheirLength() => Assert.Equal("/a/b", Read("02022F61" + "0502FFFF" + "02022F62"));

    [Theory]
    [InlineData("02022F61" + "02")] // type without length
    [InlineData("02022F61" + "02052F")] // length past the end
    [InlineData("02022F61" + "09")] // unknown type without length
    public void IgnoresAnOptionCutShortByTheDatagramsEnd(string hex) => Assert.Equal("/a", Read(hex));

    [Fact]
    public void AcceptsAnEmptyUrlData() => Assert.Equal("/a", Read("0200" + "02022F61"));

    [Fact]
    public void SaysWhenTheUrlDataDoesNotFit() => Assert.Equal("<too long>", Read("02032F6162", capacity: 2));

    [Fact]
    public void WritesLongUrlDataAsSeveralOptions()
    {
        var path = Encoding.ASCII.GetBytes("/" + new string('x', 300));
        var options = new byte[400];

        var length = UrlDataOptions.Write(path, options);

        Assert.Equal(2 + 255 + 2 + 46 + 1, length);
        Assert.Equal(0x02, options[0]);
        Assert.Equal(255, options[1]);
        Assert.Equal(0x00, options[length - 1]);
        var read = new byte[400];
        Assert.Equal(path, read.AsSpan(0, UrlDataOptions.Read(options.AsSpan(0, length), read)).ToArray());
    }
}
