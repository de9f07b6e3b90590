using System.Net;
using Microsoft.Extensions.Time.Testing;
using ServerlessTracker.Protocol.Udp;

namespace ServerlessTracker.Protocol.Tests.Udp;

public class WhenIssuingConnectionIds
{
    private static readonly byte[] Key = Enumerable.Range(1, 32).Select(i => (byte)i).ToArray();
    private static readonly byte[] Client = IPAddress.Parse("203.0.113.7").MapToIPv6().GetAddressBytes();
    private static readonly byte[] OtherClient = IPAddress.Parse("2001:db8::7").GetAddressBytes();

    // A slot boundary: 1_700_000_040 is a multiple of 120.
    private static FakeTimeProvider ClockAt(long unixSeconds) => new(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    [Fact]
    public void AcceptsItsOwnIdFromTheSameAddress()
    {
        using var ids = new ConnectionIds(Key, 60, ClockAt(1_700_000_040));

        var id = ids.Issue(Client);

        Assert.True(ids.IsValid(id, Client));
    }

    [Fact]
    public void RefusesTheIdFromAnotherAddress()
    {
        using var ids = new ConnectionIds(Key, 60, ClockAt(1_700_000_040));
        var id = ids.Issue(Client);

        Assert.False(ids.IsValid(id, OtherClient));
        Assert.False(ids.IsValid(id ^ 1, Client));
        Assert.False(ids.IsValid(id, IPAddress.Parse("203.0.113.8").MapToIPv6().GetAddressBytes()));
    }

    [Fact]
    public void AnotherInstanceWithTheSameKeyAcceptsTheId()
    {
        var clock = ClockAt(1_700_000_040);
        using var issuer = new ConnectionIds(Key, 60, clock);
        using var other = new ConnectionIds(Key, 60, clock);
        using var stranger = new ConnectionIds(Key.Reverse().ToArray(), 60, clock);

        var id = issuer.Issue(Client);

        Assert.True(other.IsValid(id, Client));
        Assert.False(stranger.IsValid(id, Client));
    }

    [Fact]
    public void IsTheTruncatedHmacOfSlotAndAddress()
    {
        var clock = ClockAt(1_700_000_040);
        using var ids = new ConnectionIds(Key, 0, clock);
        var message = new byte[24];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(message, 1_700_000_040 / 120);
        Client.CopyTo(message, 8);
        var expected = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(System.Security.Cryptography.HMACSHA256.HashData(Key, message));

        Assert.Equal(expected, ids.Issue(Client));
    }

    [Theory]
    [InlineData(0, 0, 239)] // issued at the start of a slot: current + previous slot
    [InlineData(119, 0, 120)] // issued at the end of a slot: only just over 2 minutes
    [InlineData(0, 60, 299)] // default grace: up to 5 minutes
    [InlineData(119, 60, 180)] // default grace: at least 3 minutes
    [InlineData(119, 180, 300)] // largest grace: at least 5 minutes
    public void StaysValidExactlyForTheDocumentedWindow(int issuedIntoSlot, int grace, int lastValidSecond)
    {
        var clock = ClockAt(1_700_000_040 + issuedIntoSlot);
        using var issuer = new ConnectionIds(Key, grace, clock);
        var id = issuer.Issue(Client);

        clock.Advance(TimeSpan.FromSeconds(lastValidSecond));
        using var fresh = new ConnectionIds(Key, grace, clock);
        Assert.True(fresh.IsValid(id, Client));
        Assert.True(issuer.IsValid(id, Client));

        clock.Advance(TimeSpan.FromSeconds(1));
        using var later = new ConnectionIds(Key, grace, clock);
        Assert.False(later.IsValid(id, Client));
        Assert.False(issuer.IsValid(id, Client));
    }

    [Fact]
    public void AnIdFromTheFutureIsRefused()
    {
        var clock = ClockAt(1_700_000_040 + 240);
        using var issuer = new ConnectionIds(Key, 60, clock);
        var id = issuer.Issue(Client);

        using var behind = new ConnectionIds(Key, 60, ClockAt(1_700_000_040));

        Assert.False(behind.IsValid(id, Client));
    }

    [Fact]
    public void RefusesAShortKeyAndAnOutOfRangeGrace()
    {
        Assert.Throws<ArgumentException>(() => new ConnectionIds(new byte[15], 60, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionIds(Key, -1, TimeProvider.System));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionIds(Key, ConnectionIds.MaxGraceSeconds + 1, TimeProvider.System));
    }

    [Fact]
    public void ManyClientsInOneSlotEachKeepTheirOwnId()
    {
        using var ids = new ConnectionIds(Key, 60, ClockAt(1_700_000_040));
        var issued = new List<(byte[] Address, ulong Id)>();
        for (var i = 0; i < 10_000; i++)
        {
            var address = IPAddress.Parse($"10.{i >> 8 & 255}.{i & 255}.1").MapToIPv6().GetAddressBytes();
            issued.Add((address, ids.Issue(address)));
        }

        Assert.Equal(issued.Count, issued.Select(x => x.Id).Distinct().Count());
        Assert.All(issued, x => Assert.True(ids.IsValid(x.Id, x.Address)));
    }
}
