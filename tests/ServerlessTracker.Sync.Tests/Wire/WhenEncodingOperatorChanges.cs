using System.Text;
using Azure.Messaging;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Policy.Passkeys;
using ServerlessTracker.Sync.Wire;

namespace ServerlessTracker.Sync.Tests.Wire;

public class WhenEncodingOperatorChanges
{
    private static readonly DateTimeOffset At = DateTimeOffset.Parse("2026-11-23T12:00:00.1234567Z");

    [Fact]
    public void EveryKindOfChangeRoundTripsThroughACloudEvent()
    {
        var rule = new InfoHashRule(InfoHash.ParseHex(new string('a', 40)), InfoHashListKind.Deny, new string('a', 64), "dmca", At, 17, Removed: true);
        var ip = new IpAllowRecord("2001:db8::/32", null, At, At.AddDays(1), 18);
        var client = new ClientRule("-XL0012-", ClientListKind.Deny, "leaks", At, 19);
        var factor = new TorrentFactor(InfoHash.ParseHex(new string('b', 40)), new string('b', 64), 200, null, "event", At, At.AddDays(1), At.AddDays(3), 20);
        var batch = new OperatorChangeBatch();
        OperatorChange[] changes =
        [
            PasskeyChange.From(new PasskeyRecord(new string('b', 32), "alice", At, null, 5, 6)),
            new PasskeyChange(new string('c', 32), null, null, At),
            UsageChange.From(new UsageSnapshot(new string('b', 32), "west-" + new string('d', 32), long.MaxValue, 0, 1_800_000_000_000)),
            InfoHashChange.From(rule),
            IpChange.From(ip),
            new IpUseChange("198.51.100.0/24", At),
            ClientChange.From(client),
            FactorChange.Of(factor),
        ];
        foreach (var change in changes)
        {
            batch.Add(change);
        }

        var json = System.Text.Json.JsonSerializer.Serialize(new CloudEvent("/regions/west", "dev.serverlesstracker.operator.v1",
            BinaryData.FromBytes(batch.Encode()), "application/json", CloudEventDataFormat.Json));
        var decoded = OperatorChangeBatch.Decode(CloudEvent.Parse(BinaryData.FromString(json))!.Data!)!;

        Assert.Equal(8, decoded.Count);
        Assert.Equal(factor, Assert.Single(decoded.Factors!).ToFactor());
        Assert.Equal(client, Assert.Single(decoded.Clients!).ToRule());
        Assert.Equal(changes[..2], decoded.Passkeys!);
        Assert.Equal(changes[2], Assert.Single(decoded.Usage!));
        Assert.Equal(rule, Assert.Single(decoded.InfoHashes!).ToRule());
        Assert.Equal(ip, Assert.Single(decoded.Ips!).ToRecord());
        Assert.Equal(changes[5], Assert.Single(decoded.IpUses!));
        // Inline JSON, readable in Event Grid's tools: no base64.
        Assert.Contains("\"data\":{\"passkeys\":[{\"passkey\":\"bbbb", json);
    }

    [Fact]
    public void ARevocationWithoutItsCreationStandsInWithTheRevocationTime()
    {
        Assert.Equal(new PasskeyRecord("k", null, At, At, 0, 0), new PasskeyChange("k", null, null, At).ToRecord());
        Assert.Null(new PasskeyChange("k", "x", null, null).ToRecord());
    }

    [Theory]
    [InlineData("not hex", 0, null)]
    [InlineData("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 1001, null)]
    [InlineData("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", null, null)]
    [InlineData("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", -5, 100)]
    public void AFactorChangeWithoutAHashOrSensibleFactorsIsNoFactor(string hash, int? upload, int? download) =>
        Assert.Null(new FactorChange(hash, hash, upload, download, null, null, null, At, 1, false).ToFactor());

    [Theory]
    [InlineData("maybe", "-XL0012-")]
    [InlineData("deny", "")]
    [InlineData("deny", "has space")]
    [InlineData("allow", "012345678901234567890")]
    public void AClientChangeWithoutAListOrAValidPrefixIsNoRule(string list, string prefix) =>
        Assert.Null(new ClientChange(list, prefix, null, At, 1, false).ToRule());

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("{\"passkeys\": 5}")]
    public void DataThatIsNotABatchIsRefused(string data) =>
        Assert.Null(OperatorChangeBatch.Decode(BinaryData.FromBytes(Encoding.UTF8.GetBytes(data))));

    [Fact]
    public void UnknownPropertiesAreIgnoredSoLaterVersionsCanAddSome() =>
        Assert.Equal(1, OperatorChangeBatch.Decode(BinaryData.FromString("{\"future\": {\"x\": 1}, \"ipUses\": [{\"entry\": \"10.0.0.1\", \"lastUsedAt\": \"2026-11-23T12:00:00Z\", \"more\": true}]}"))!.Count);

    [Fact]
    public void AListOrHashThatIsNotOneGivesNoRule()
    {
        Assert.Null(new InfoHashChange("maybe", new string('a', 40), new string('a', 40), null, At, 1, false).ToRule());
        Assert.Null(new InfoHashChange("allow", "'; drop", new string('a', 40), null, At, 1, false).ToRule());
    }
}
