using System.Text.RegularExpressions;
using ServerlessTracker.Infra.Tests.Support;

namespace ServerlessTracker.Infra.Tests;

/// <summary>No credential is committed: Azure gets none (managed identity), local runs use Azurite's public development key.</summary>
public sealed partial class WhenScanningForSecrets
{
    // Azurite's fixed development key, published in its documentation: not a secret.
    private const string AzuriteKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task NoCommittedFileHoldsAKeyOrConnectionSecret()
    {
        // Tracked files and new ones not yet committed, minus what .gitignore keeps out.
        var (exit, output, error) = await Repository.RunAsync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], TimeSpan.FromMinutes(1));
        Assert.True(exit == 0, "git ls-files failed (the tests need a git checkout): " + error);
        var files = output.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("azure.yaml", files);

        var findings = new List<string>();
        foreach (var file in files)
        {
            var path = Repository.PathOf(file);
            if (!File.Exists(path) || new FileInfo(path).Length > 2_000_000)
            {
                continue;
            }

            var text = File.ReadAllText(path);
            if (text.Contains('\0'))
            {
                continue;
            }

            foreach (Match match in SecretPattern().Matches(text))
            {
                if (!match.Value.Contains(AzuriteKey, StringComparison.Ordinal))
                {
                    findings.Add($"{file}: {match.Value[..Math.Min(match.Value.Length, 40)]}...");
                }
            }
        }

        Assert.True(findings.Count == 0, "possible secrets:\n" + string.Join('\n', findings));
    }

    [Theory]
    [InlineData("DefaultEndpointsProtocol=https;AccountName=x;AccountKey=" + "abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ0123456789abcdefghijABCDEFGHIJ01234567==")]
    [InlineData("Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=" + "abcdefghijABCDEFGHIJ0123456789abcdefghi=")]
    [InlineData("InstrumentationKey=" + "00000000-1111-2222-3333-444444444444;IngestionEndpoint=https://x")]
    [InlineData("https://x.blob.core.windows.net/c?sv=2022-11-02&sig=" + "abcdefghijABCDEFGHIJ0123456789%2Fabcdefgh%3D")]
    [InlineData("-----BEGIN RSA " + "PRIVATE KEY-----")]
    [InlineData("Relay__ConnectionIdKey=" + "q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=")]
    public void ThePatternsCatchTheUsualShapes(string secret) => Assert.Matches(SecretPattern(), secret);

    [Theory]
    [InlineData("AccountKey={AccountKey}")]
    [InlineData("Tracker__Tables__ConnectionString: UseDevelopmentStorage=true")]
    [InlineData("'ClientId=${identityClientId};Authorization=AAD'")]
    [InlineData("key=\"$(openssl rand -base64 32)\"")]
    public void ThePatternsLetPlaceholdersThrough(string text) => Assert.DoesNotMatch(SecretPattern(), text);

    [GeneratedRegex(
        @"(AccountKey|SharedAccessKey|SharedAccessSignature)=[A-Za-z0-9+/]{20,}={0,2}" +
        @"|InstrumentationKey=[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-" +
        @"|[?&]sig=[A-Za-z0-9%+/]{20,}" +
        @"|-----BEGIN [A-Z ]*PRIVATE KEY-----" +
        @"|(ConnectionIdKey|TopicKey|ReceiverKey|Admin__Token|AdminToken)[""']?\s*[:=]\s*[""']?[A-Za-z0-9+/]{24,}")]
    private static partial Regex SecretPattern();
}
