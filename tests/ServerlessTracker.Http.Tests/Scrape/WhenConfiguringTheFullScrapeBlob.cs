using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Scrape;

/// <summary>A blob setting that cannot work stops the start with a clear message, before anything listens.</summary>
public sealed class WhenConfiguringTheFullScrapeBlob
{
    private const string Azurite = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;";

    [Fact]
    public async Task ItNeedsTheTableStore()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningTracker.StartAsync(
            new Dictionary<string, string?> { ["Tracker:FullScrape:ConnectionString"] = Azurite }, ipv6: false));
        Assert.Contains("Tracker:FullScrape needs the Table store", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Tracker:FullScrape:MaxAgeSeconds", "30", "MaxAgeSeconds must be at least PeriodSeconds")]
    [InlineData("Tracker:FullScrape:Container", "Full_Scrape", "Container")]
    [InlineData("Tracker:FullScrape:ServiceUri", "blob.example", "absolute URI")]
    public async Task AnUnusableValueIsRefused(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Tracker:Tables:ConnectionString"] = Azurite.Replace("BlobEndpoint", "TableEndpoint", StringComparison.Ordinal),
            ["Tracker:FullScrape:ServiceUri"] = "https://account.blob.core.windows.net",
            [key] = value,
        };
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningTracker.StartAsync(settings, ipv6: false));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }
}
