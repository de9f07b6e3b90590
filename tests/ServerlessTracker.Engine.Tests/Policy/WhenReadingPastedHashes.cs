using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Tests.Shared;

namespace ServerlessTracker.Engine.Tests.Policy;

public class WhenReadingPastedHashes
{
    private const string V1 = "0123456789abcdef0123456789abcdef01234567";
    private const string V1Base32 = "AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH";
    private const string V2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    [Theory]
    [InlineData(V1)]
    [InlineData("0123456789ABCDEF0123456789ABCDEF01234567")]
    [InlineData("  0123456789abcdef0123456789abcdef01234567\n")]
    [InlineData(V1Base32)]
    [InlineData("aeruKZ4JVPG66AJDIVTYTK6N54ASGRLH")]
    [InlineData("magnet:?xt=urn:btih:" + V1)]
    [InlineData("magnet:?xt=urn:btih:" + V1Base32)]
    [InlineData("MAGNET:?XT=URN:BTIH:" + V1Base32)]
    [InlineData("magnet:?dn=Some%20Linux%20ISO&xt=urn:btih:" + V1 + "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce")]
    [InlineData("magnet:?xt=urn%3Abtih%3A" + V1)]
    [InlineData("magnet:?xt.1=urn:btih:" + V1 + "&xt.2=urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C")]
    [InlineData("magnet:?xt=urn:ed2k:31d6cfe0d16ae931b73c59d7e0c089c0&xt=urn:btih:" + V1)]
    [InlineData("magnet:?xt=urn:btih:" + V1 + "&xt=urn:btih:" + V1Base32)]
    [InlineData("magnet:?xt=urn:btih:" + V1 + "&tr=udp://tracker.example:6969/announce&dn=a=b")]
    public void AV1HashReadsTheSameInEveryForm(string text)
    {
        Assert.True(InfoHashText.TryParse(text, out var hashes));
        var named = Assert.Single(hashes);
        Assert.Equal(V1, named.Given);
        Assert.Equal(InfoHash.ParseHex(V1), named.Hash);
        Assert.False(named.IsV2);
    }

    [Theory]
    [InlineData(V2)]
    [InlineData("FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210")]
    [InlineData("magnet:?xt=urn:btmh:1220" + V2)]
    [InlineData("magnet:?xt=urn:btmh:1220" + V2 + "&dn=v2only")]
    public void AV2HashKeepsAll32BytesAndAnnouncesItsFirst20(string text)
    {
        Assert.True(InfoHashText.TryParse(text, out var hashes));
        var named = Assert.Single(hashes);
        Assert.Equal(V2, named.Given);
        Assert.Equal(InfoHash.ParseHex(V2[..40]), named.Hash);
        Assert.True(named.IsV2);
    }

    [Fact]
    public void AHybridMagnetNamesBothHashesInLinkOrder()
    {
        Assert.True(InfoHashText.TryParse($"magnet:?xt=urn:btih:{V1Base32}&xt=urn:btmh:1220{V2}&dn=hybrid", out var hashes));
        Assert.Equal([V1, V2], hashes.ConvertAll(h => h.Given));

        Assert.True(InfoHashText.TryParse($"magnet:?xt=urn:btmh:1220{V2}&xt=urn:btih:{V1}", out var reversed));
        Assert.Equal([V2, V1], reversed.ConvertAll(h => h.Given));
    }

    [Fact]
    public void Base32DecodesAsRfc4648()
    {
        // A vector computed independently (Python's base64.b32encode of the 20 bytes).
        Assert.True(InfoHashText.TryParseBare("YEX6DQDLXISUVHOJ6UM3GNNKPQJWPKEK", out var named));
        Assert.Equal("c12fe1c06bba254a9dc9f519b335aa7c1367a88a", named.Given);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("0123")]
    [InlineData("0123456789abcdef0123456789abcdef0123456")]
    [InlineData("0123456789abcdef0123456789abcdef012345678")]
    [InlineData("zz23456789abcdef0123456789abcdef01234567")]
    [InlineData("0123456789abcdef 123456789abcdef01234567")]
    [InlineData("fedcba9876543210fedcba9876543210fedcba9876543210fedcba987654321")]
    [InlineData("AERUKZ4JVPG66AJDIVTYTK6N54ASGRL")]
    [InlineData("AERUKZ4JVPG66AJDIVTYTK6N54ASGRLHA")]
    [InlineData("AERUKZ4JVPG66AJDIVTYTK6N54ASGRL1")]
    [InlineData("AERUKZ4JVPG66AJDIVTYTK6N54ASGRL=")]
    [InlineData("0x0123456789abcdef0123456789abcdef01234567")]
    [InlineData("magnet:?")]
    [InlineData("magnet:?dn=no+hash")]
    [InlineData("magnet:?xt=urn:sha1:YNCKHTQCWBTRNJIV4WNAE52SJUQCZO5C")]
    [InlineData("magnet:?xt=urn:btih:")]
    [InlineData("magnet:?xt=urn:btih:0123")]
    [InlineData("magnet:?xt=urn:btih:" + V2)]
    [InlineData("magnet:?xt=urn:btmh:" + V2)]
    [InlineData("magnet:?xt=urn:btmh:1220" + V1)]
    [InlineData("magnet:?xt=urn:btmh:1114" + V1)]
    [InlineData("magnet:?xt=urn:btih:" + V1 + "&xt=urn:btih:zz")]
    [InlineData("magnet:xt=urn:btih:" + V1)]
    [InlineData("http://example.com/?xt=urn:btih:" + V1)]
    [InlineData("magnet:?xtra=urn:btih:" + V1)]
    [InlineData("magnet:?xt.a=urn:btih:" + V1)]
    [InlineData("magnet:?xt=urn:btih:" + V1 + "%")]
    public void AnythingElseIsNotAHash(string? text) => Assert.False(InfoHashText.TryParse(text, out _));

    [Fact]
    public void ALinkNamingTooManyHashesOrTooLongIsRefused()
    {
        var many = "magnet:?" + string.Join('&', Enumerable.Range(0, InfoHashText.MaxHashesPerLink + 1).Select(i => $"xt=urn:btih:{i:x40}"));
        Assert.False(InfoHashText.TryParse(many, out _));
        var enough = "magnet:?" + string.Join('&', Enumerable.Range(0, InfoHashText.MaxHashesPerLink).Select(i => $"xt=urn:btih:{i:x40}"));
        Assert.True(InfoHashText.TryParse(enough, out var hashes));
        Assert.Equal(InfoHashText.MaxHashesPerLink, hashes.Count);

        Assert.False(InfoHashText.TryParse($"magnet:?xt=urn:btih:{V1}&dn={new string('a', InfoHashText.MaxLength)}", out _));
    }

    [Fact]
    public void NoPasteThrows()
    {
        // Bad input never becomes a 500: random text, half of it posing as a magnet link with bt topics and escapes.
        var random = new Random(1616);
        const string alphabet = "0123456789abcdefABCDEFXYZ234567:?&=%.xtrnbihmu\u00e9 \t";
        var parsed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 120)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            if (i % 2 == 0)
            {
                text = "magnet:?xt=urn:bt" + (i % 4 == 0 ? "ih:" : "mh:1220") + text;
            }

            parsed += InfoHashText.TryParse(text, out var hashes) ? hashes.Count : 0;
        }

        Assert.True(parsed >= 0);
    }

    [Fact]
    public void EveryHashRoundTripsThroughBase32()
    {
        var random = new Random(16);
        var bytes = new byte[20];
        for (var i = 0; i < 500; i++)
        {
            random.NextBytes(bytes);
            var base32 = Base32.Encode(bytes);
            Assert.True(InfoHashText.TryParseBare(base32, out var named));
            Assert.Equal(Convert.ToHexStringLower(bytes), named.Given);
        }
    }
}
