using ServerlessTracker.Admin.Checks;

namespace ServerlessTracker.Admin.Tests.Checks;

/// <summary>What <c>check</c> reads from the URL alone: the scrape URL, the passkey and whether it may go in clear, the
/// interval rule.</summary>
public sealed class WhenReadingAnAnnounceUrl
{
    private const string Passkey = "0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("https://t.example.org/announce", "https://t.example.org/scrape")]
    [InlineData("https://t.example.org/x/announce.php?a=1", "https://t.example.org/x/scrape.php?a=1")]
    [InlineData("https://t.example.org/announce/" + Passkey, "https://t.example.org/scrape/" + Passkey)]
    [InlineData("udp://t.example.org:6969/announce", "udp://t.example.org:6969/scrape")]
    public void TheScrapeUrlReplacesTheLastAnnounceSegment(string announce, string scrape) =>
        Assert.Equal(new Uri(scrape), TrackerUrl.ScrapeUrl(new Uri(announce)));

    [Fact]
    public void AUrlWithoutAnAnnounceSegmentHasNoScrapeUrl() =>
        Assert.Null(TrackerUrl.ScrapeUrl(new Uri("https://t.example.org/tracker")));

    [Fact]
    public void APasskeyOverPlainHttpToAnotherHostFailsTheHttpsCheck()
    {
        var result = TrackerUrl.Transport(new Uri("http://tracker.example.org/announce/" + Passkey));
        Assert.Equal(Verdict.Fail, result.Verdict);
        Assert.Contains("plain http", result.Detail);

        Assert.Equal(Verdict.Fail, TrackerUrl.Transport(new Uri("http://tracker.example.org/announce?passkey=" + Passkey)).Verdict);
        Assert.Equal(Verdict.Pass, TrackerUrl.Transport(new Uri("https://tracker.example.org/announce/" + Passkey)).Verdict);
        Assert.Equal(Verdict.Pass, TrackerUrl.Transport(new Uri("http://127.0.0.1:7071/announce/" + Passkey)).Verdict);
        Assert.Equal(Verdict.Pass, TrackerUrl.Transport(new Uri("http://localhost:7071/announce/" + Passkey)).Verdict);
        Assert.Equal(Verdict.Pass, TrackerUrl.Transport(new Uri("http://[::1]:7071/announce/" + Passkey)).Verdict);
        Assert.Equal(Verdict.Skip, TrackerUrl.Transport(new Uri("http://tracker.example.org/announce")).Verdict);
    }

    [Fact]
    public void APrintedUrlShowsOnlyTheStartOfThePasskey()
    {
        var printed = TrackerUrl.Redacted(new Uri("https://tracker.example.org/announce/" + Passkey));
        Assert.Equal("https://tracker.example.org/announce/0123…", printed);
        Assert.DoesNotContain(Passkey, printed);
    }

    [Theory]
    [InlineData(1800L, 900L, Verdict.Pass)]
    [InlineData(300L, null, Verdict.Pass)]
    [InlineData(10800L, 10800L, Verdict.Pass)]
    [InlineData(299L, 60L, Verdict.Fail)]
    [InlineData(10801L, 900L, Verdict.Fail)]
    [InlineData(1800L, 1801L, Verdict.Fail)]
    public void TheIntervalIsFiveMinutesToThreeHoursAndNotShorterThanTheMinInterval(long interval, long? minInterval, Verdict expected) =>
        Assert.Equal(expected, TrackerUrl.Interval(interval, minInterval).Verdict);
}
