using System.Buffers.Binary;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using ServerlessTracker.Engine;
using ServerlessTracker.Engine.Diagnostics;
using ServerlessTracker.Engine.Policy;
using ServerlessTracker.Engine.Policy.AccessLists;
using ServerlessTracker.Engine.Policy.Factors;
using ServerlessTracker.Engine.Stores;
using ServerlessTracker.Protocol;
using ServerlessTracker.Protocol.Udp;
using ServerlessTracker.Tests.Shared;
using ServerlessTracker.UdpRelay.Server;

namespace ServerlessTracker.UdpRelay.Tests;

/// <summary>The HTTP policy over UDP: the passkey in BEP 41 URL data, refusals as error packets with the same reasons.</summary>
public sealed class WhenRunningPrivatelyOverUdp : IAsyncLifetime
{
    private RelayHost _relay = null!;
    private AnnouncePolicy _policy = null!;
    private UdpTrackerClient _client = null!;
    private ulong _id;
    private uint _transaction;

    public async Task InitializeAsync()
    {
        _relay = await RelayHost.StartAsync(new Dictionary<string, string?> { ["Tracker:Private:Enabled"] = "true" });
        _policy = _relay.Services.GetRequiredService<AnnouncePolicy>();
        _client = new UdpTrackerClient(_relay.IPv4);
        _id = await _client.ConnectAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _relay.DisposeAsync();
    }

    /// <summary>An announce with counters and, unless null, <c>/announce/{passkey}</c> as URL data.</summary>
    public static byte[] Packet(ulong id, uint transaction, byte[] hash, int peer, string? passkey, long uploaded = 0, long downloaded = 0, long left = 10, AnnounceEvent @event = AnnounceEvent.None)
    {
        var packet = UdpTrackerClient.AnnouncePacket(id, transaction, hash, Encoding.ASCII.GetBytes($"-ST0001-{peer:D12}"), (ushort)(7000 + peer), left);
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(56), downloaded);
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(72), uploaded);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(80), (uint)@event);
        if (passkey is null)
        {
            return packet;
        }

        var options = new byte[600];
        var length = UrlDataOptions.Write(Encoding.ASCII.GetBytes("/announce/" + passkey), options);
        return [.. packet, .. options.AsSpan(0, length)];
    }

    private async Task<string?> AnnounceAsync(byte[] hash, int peer, string? passkey, long uploaded = 0, long downloaded = 0, AnnounceEvent @event = AnnounceEvent.None)
    {
        var answer = await _client.ExchangeAsync(Packet(_id, ++_transaction, hash, peer, passkey, uploaded, downloaded, @event: @event)) ?? throw new TimeoutException("no answer");
        if (ErrorResponse.TryRead(answer, out _, out var message))
        {
            return Encoding.ASCII.GetString(message);
        }

        Assert.True(AnnounceResponse.TryRead(answer, out var echoed, out _, out _, out _, out _), "not an announce answer");
        Assert.Equal(_transaction, echoed);
        return null;
    }

    [Fact]
    public async Task NoKeyABadKeyAndARevokedKeyAreRefusedAndAGoodKeyIsServed()
    {
        var hash = TestBytes.Twenty();
        var good = (await _policy.Passkeys.CreateAsync("udp user", default)).Passkey;
        var revoked = (await _policy.Passkeys.CreateAsync(null, default)).Passkey;
        await _policy.Passkeys.RevokeAsync(revoked, default);

        Assert.Equal("this is a private tracker: announce with your passkey (/announce/<passkey>)", await AnnounceAsync(hash, 1, null));
        Assert.Equal("unknown passkey", await AnnounceAsync(hash, 1, "0123456789abcdef0123456789abcdef"));
        Assert.Equal("passkey revoked", await AnnounceAsync(hash, 1, revoked));
        Assert.Null(await AnnounceAsync(hash, 1, good));
        var counts = new SwarmCounts[1];
        await _relay.Services.GetRequiredService<ISwarmStore>().ScrapeAsync(new[] { InfoHash.FromBytes(hash) }, counts, default);
        Assert.Equal(1, counts[0].Incomplete);
    }

    [Fact]
    public async Task FiguresAddUpOverASessionsAnnounces()
    {
        var hash = TestBytes.Twenty();
        var key = (await _policy.Passkeys.CreateAsync(null, default)).Passkey;
        Assert.Null(await AnnounceAsync(hash, 2, key, uploaded: 100, downloaded: 1000, @event: AnnounceEvent.Started));
        // Inside min interval a re-announce is not written: what it reports is counted by the next stored one, the stop.
        Assert.Null(await AnnounceAsync(hash, 2, key, uploaded: 600, downloaded: 3000));
        var account = _policy.Passkeys.Find(key)!;
        Assert.Equal((100, 1000), (account.Uploaded, account.Downloaded));
        Assert.Null(await AnnounceAsync(hash, 2, key, uploaded: 900, downloaded: 4000, @event: AnnounceEvent.Stopped));
        Assert.Equal((900, 4000), (account.Uploaded, account.Downloaded));
        Assert.True(_relay.Services.GetRequiredService<TrackerMetrics>().Snapshot().UdpAnnounces >= 3);
    }

    [Fact]
    public async Task AFreeleechDoubleUploadTorrentIsCreditedAsOverHttp()
    {
        var hash = TestBytes.Twenty();
        await _policy.Factors.SetAsync(new TorrentFactor(InfoHash.FromBytes(hash), Convert.ToHexStringLower(hash), 200, 0, null, default), default);
        var key = (await _policy.Passkeys.CreateAsync(null, default)).Passkey;

        Assert.Null(await AnnounceAsync(hash, 3, key, uploaded: 100, downloaded: 1000, @event: AnnounceEvent.Started));
        Assert.Null(await AnnounceAsync(hash, 3, key, uploaded: 150, downloaded: 4000, @event: AnnounceEvent.Stopped));

        var account = _policy.Passkeys.Find(key)!;
        Assert.Equal((300, 0), (account.Uploaded, account.Downloaded));
    }

    [Fact]
    public async Task APasskeyHasAtMostThreePeersInATorrent()
    {
        var hash = TestBytes.Twenty();
        var key = (await _policy.Passkeys.CreateAsync(null, default)).Passkey;
        for (var peer = 1; peer <= 3; peer++)
        {
            Assert.Null(await AnnounceAsync(hash, peer, key, @event: AnnounceEvent.Started));
        }

        Assert.Equal("passkey peer limit", await AnnounceAsync(hash, 4, key, @event: AnnounceEvent.Started));
        Assert.Null(await AnnounceAsync(TestBytes.Twenty(), 4, key, @event: AnnounceEvent.Started));
    }

    [Fact]
    public async Task AScrapeWithoutAPasskeyIsRefusedInPrivateMode()
    {
        var packet = new byte[16 + 20];
        ScrapeRequestParser.Write(packet, _id, 77, TestBytes.Twenty());
        var answer = await _client.ExchangeAsync(packet) ?? throw new TimeoutException("no answer");
        Assert.True(ErrorResponse.TryRead(answer, out var transaction, out var message));
        Assert.Equal(77u, transaction);
        Assert.Contains("private tracker", Encoding.ASCII.GetString(message));
    }

    [Fact]
    public async Task DeniedTorrentsAreRefusedAndScrapedAsZerosInOpenMode()
    {
        await using var relay = await RelayHost.StartAsync();
        var policy = relay.Services.GetRequiredService<AnnouncePolicy>();
        using var client = new UdpTrackerClient(relay.IPv6);
        var id = await client.ConnectAsync();
        var hash = TestBytes.Twenty();
        await client.AnnounceAsync(id, hash, TestBytes.Twenty(), 7001, left: 0);
        await policy.InfoHashes.AddAsync(InfoHashListKind.Deny, Convert.ToHexStringLower(hash), InfoHash.FromBytes(hash), null, default);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => client.AnnounceAsync(id, hash, TestBytes.Twenty(), 7002, left: 5));
        Assert.Contains("torrent not allowed on this tracker", refused.Message);
        Assert.Equal((0, 0, 0), Assert.Single(await client.ScrapeAsync(id, hash)));
    }

    [Fact]
    public async Task ADeniedClientGetsAnErrorPacketNamingItsRule()
    {
        await using var relay = await RelayHost.StartAsync();
        var policy = relay.Services.GetRequiredService<AnnouncePolicy>();
        using var client = new UdpTrackerClient(relay.IPv4);
        var id = await client.ConnectAsync();
        await policy.Clients.AddAsync(ClientListKind.Deny, "-XL0012-", null, default);

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(
            () => client.AnnounceAsync(id, TestBytes.Twenty(), "-XL0012-abcdefghijkl"u8.ToArray(), 7001, left: 5));
        Assert.Contains("client not allowed: -XL0012-", refused.Message);
        await client.AnnounceAsync(id, TestBytes.Twenty(), "-XL0013-abcdefghijkl"u8.ToArray(), 7002, left: 5);

        // An allow rule: only its clients are served from then on.
        await policy.Clients.AddAsync(ClientListKind.Allow, "-qB", null, default);
        await client.AnnounceAsync(id, TestBytes.Twenty(), "-qB4650-abcdefghijkl"u8.ToArray(), 7003, left: 5);
        var other = await Assert.ThrowsAsync<InvalidOperationException>(
            () => client.AnnounceAsync(id, TestBytes.Twenty(), "-XL0013-abcdefghijkl"u8.ToArray(), 7002, left: 5));
        Assert.Contains("client not allowed", other.Message);
    }

    [Fact]
    public async Task APrivateAnnounceAllocatesNothingOnTheHotPath()
    {
        var settings = new SwarmSettings();
        var store = new InMemorySwarmStore(settings, TimeProvider.System, new Random(7));
        var policy = AnnouncePolicy.InMemory(TimeProvider.System, new PrivateModeSettings { Enabled = true });
        var key = (await policy.Passkeys.CreateAsync(null, default)).Passkey;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var pool = new RequestContextPool(settings.MaxNumWant, AddressFamily.InterNetwork, 4);
        using var meter = new Meter("udp-private-hot-path");
        using var handler = new RequestHandler(new ServerlessTracker.Engine.Tracking.TrackerCore(store, policy, settings, new TrackerMetrics(meter)), new ConnectionIds(new byte[32], 60, TimeProvider.System), pool, socket, _ => { }, CancellationToken.None);
        var client = new IPEndPoint(IPAddress.Parse("192.0.2.10"), 6881).Serialize();
        var connect = new byte[16];
        ConnectRequest.Write(connect, 1);
        handler.Handle(connect, client, CancellationToken.None);
        ConnectResponse.TryRead(handler.Response, out _, out var id);
        var hash = TestBytes.Twenty();
        var packets = Enumerable.Range(0, 100).Select(i => Packet(id, (uint)i, hash, i, i % 10 == 0 ? "nope" : key, uploaded: i)).ToArray();

        var lengths = new int[packets.Length];
        void HandleAll()
        {
            for (var i = 0; i < packets.Length; i++)
            {
                lengths[i] = handler.Handle(packets[i], client, CancellationToken.None);
            }
        }

        for (var i = 0; i < 5; i++)
        {
            HandleAll();
        }

        Assert.Equal(0, Allocations.Fewest(HandleAll));
        Assert.All(lengths, length => Assert.True(length > 0));
    }
}
