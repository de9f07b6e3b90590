using Microsoft.Extensions.Options;
using ServerlessTracker.Http.Tests.Support;

namespace ServerlessTracker.Http.Tests.Security;

/// <summary>A token or key shorter than 32 characters fails the start with an error naming its setting: a short secret
/// behind a fast, unthrottled comparison is guessable.</summary>
public sealed class WhenStartingWithShortSecrets
{
    private static readonly string Short = new('k', 31);
    private static readonly string LongEnough = new('k', 32);

    [Theory]
    [InlineData("Tracker:Admin:Token")]
    [InlineData("Tracker:Stats:Token")]
    [InlineData("Tracker:Sync:ReceiverKey")]
    [InlineData("Tracker:Sync:TopicKey")]
    public async Task AShortSecretStopsTheStartNamingItsSetting(string setting)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => RunningTracker.StartAsync(new Dictionary<string, string?> { [setting] = Short }, ipv6: false));
        Assert.Contains(setting, error.Message);
        Assert.Contains("32 characters", error.Message);
        Assert.DoesNotContain(Short, error.Message);
    }

    [Fact]
    public async Task ThirtyTwoCharactersAreEnoughForEach()
    {
        await using var tracker = await RunningTracker.StartAsync(new Dictionary<string, string?>
        {
            ["Tracker:Admin:Token"] = LongEnough,
            ["Tracker:Stats:Token"] = LongEnough,
            ["Tracker:Sync:ReceiverKey"] = LongEnough,
            ["Tracker:Sync:TopicKey"] = LongEnough,
        }, ipv6: false);
        Assert.NotNull(tracker.Client);
    }
}
